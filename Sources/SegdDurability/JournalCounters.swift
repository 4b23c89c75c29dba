/// Running totals a journal keeps for metrics; read them from `Journal.counters` and export the differences.
public struct JournalCounters: Sendable, Equatable {
    /// Every byte written to segment files: headers and framed records.
    public internal(set) var bytesAppended: UInt64 = 0
    /// fdatasync and fsync calls completed, on segments and on the directory.
    public internal(set) var fsyncCount: UInt64 = 0
    /// Time spent in those calls.
    public internal(set) var fsyncNanoseconds: UInt64 = 0

    public init() {}

    /// Runs one fdatasync or fsync and counts it.
    mutating func timeSync(_ sync: () throws(DurabilityError) -> Void) throws(DurabilityError) {
        let start = ContinuousClock.now
        try sync()
        countSync(nanoseconds: Self.nanoseconds(start.duration(to: .now)))
    }

    /// Counts one fdatasync or fsync that completed in `nanoseconds`.
    mutating func countSync(nanoseconds: UInt64) {
        fsyncCount += 1
        fsyncNanoseconds += nanoseconds
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let parts = duration.components
        return UInt64(parts.seconds) * 1_000_000_000 + UInt64(parts.attoseconds / 1_000_000_000)
    }
}
