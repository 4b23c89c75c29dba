public import SegdCore
public import SegdDurability

/// What `segd snapshot inspect` shows: a snapshot file checked end to end and the engine it holds.
public struct SnapshotReport {
    public let snapshot: Snapshot
    public let engine: SegmentEngine

    /// Reads, verifies and decodes the snapshot at `path`; throws naming the file and offset of any damage.
    public init(path: String) throws(DurabilityError) {
        snapshot = try SnapshotFile.load(path: path)
        var reader = BinaryReader(snapshot.payload, path: path, baseOffset: SnapshotHeader.size)
        engine = try SegmentEngine(restoringSnapshot: &reader)
        try reader.expectEnd()
    }

    /// The header, the engine's position and settings, then its counters as JSON (``EngineSummary``).
    public var text: String {
        let header = snapshot.header
        let engine = self.engine
        let forgotten = (0..<Int32(engine.store.count)).count { engine.store.isForgotten($0) }
        var lines = [
            "\(snapshot.path): OK (format \(header.formatVersion), \(SnapshotHeader.size + snapshot.payload.count) bytes, checksums verified)",
            "journal:   covers records up to \(header.journalSequence); replay continues at \(header.journalSequence + 1)",
            "written:   \(TimestampFormat.rfc3339(Int64(header.createdAtMilliseconds)))",
            "clock:     \(Self.time(engine.clock)) (newest event \(Self.time(engine.newestEventTime)))",
            "next seq:  \(engine.nextSeq)",
            "customers: \(engine.store.count - forgotten)\(forgotten > 0 ? " (and \(forgotten) forgotten)" : "")",
            "windows:   \(engine.configuration.windows.map(\.description).joined(separator: ", ")); currency \(engine.configuration.currency)",
            "dedup:     \(engine.dedupRemembered) event ids remembered (at most \(engine.configuration.dedupCapacity)), \(engine.dedupForgottenEarly) forgotten early",
        ]
        if let churn = engine.configuration.churn {
            lines.append("churn:     threshold \(churn.threshold); \(engine.statistics.churnRefits) refits installed")
        }
        lines.append("segments (\(engine.segments.count)):")
        let width = engine.segments.map(\.name.count).max() ?? 0
        for (index, segment) in engine.segments.enumerated() {
            let members = engine.statistics.membersBySegment[index]
            lines.append("  \(segment.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(members) members  \(segment.rule)")
        }
        lines.append("summary:   \(EngineSummary.json(engine))")
        return lines.joined(separator: "\n")
    }

    private static func time(_ milliseconds: Int64) -> String {
        milliseconds == .min ? "not started" : TimestampFormat.rfc3339(milliseconds)
    }
}
