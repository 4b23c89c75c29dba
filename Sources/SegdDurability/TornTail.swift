/// The incomplete end of the last journal segment — what a crash in the middle of an append leaves — found by
/// replay and cut off by `Journal.open`. It is returned rather than thrown because it is expected after a crash;
/// the daemon logs it (the records in it were never acknowledged when the policy is `.always`).
public struct TornTail: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// Where the first incomplete record starts; the segment is cut back to this length.
    public let offset: Int
    /// How many bytes from `offset` to the end of the file are dropped.
    public let droppedBytes: Int
    public let problem: DurabilityError.Problem

    public var description: String {
        "\(path): dropping a torn tail of \(droppedBytes) bytes at offset \(offset) (\(problem))"
    }
}
