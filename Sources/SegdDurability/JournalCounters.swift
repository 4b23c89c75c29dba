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
        let elapsed = start.duration(to: .now).components
        fsyncCount += 1
        fsyncNanoseconds += UInt64(elapsed.seconds) * 1_000_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000)
    }
}
