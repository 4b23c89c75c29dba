/// A snapshot file `SnapshotFile.latestValid` passed over, and why — for a log line such as
/// "snapshot-…: payload checksum mismatch, falling back to snapshot-…".
public struct SnapshotRejection: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let error: DurabilityError

    public var description: String { error.description }
}
