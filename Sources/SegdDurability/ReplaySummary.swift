/// What `Journal.replay` read, for the daemon's startup log.
public struct ReplaySummary: Sendable, Equatable {
    /// Records handed to the closure (those after the requested sequence).
    public internal(set) var recordsReplayed = 0
    /// The highest sequence number read, 0 when no record was read.
    public internal(set) var lastSequence: UInt64 = 0
    /// The incomplete end of the last segment, left in place (`Journal.open` cuts it off).
    public internal(set) var tornTail: TornTail?
}
