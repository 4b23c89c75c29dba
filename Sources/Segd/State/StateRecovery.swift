import Logging
import SegdCore
import SegdDurability

/// Rebuilds the engine at start: the newest snapshot that checks out (a damaged one is passed
/// over with a warning, falling back to the one before), then every journal entry after it,
/// replayed with publishing suppressed — those alerts went out before the stop — so the outbound
/// sequence continues where it was. A torn last record, left by a crash mid-write, is cut off
/// and logged. Rules changed in the config since then are applied afterwards, as a reload.
enum StateRecovery {
    /// What recovery found, for the start-up log line.
    struct Report: Sendable {
        var snapshot: String?
        var snapshotSequence: UInt64 = 0
        var recordsReplayed = 0
        var duration: Duration = .zero
    }

    /// A state directory the configuration cannot continue.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    static func recover(
        _ configuration: SegdConfiguration, logger: Logger, metrics: SegdMetrics
    ) throws -> (pipeline: Pipeline, state: StateStore, report: Report) {
        let started = ContinuousClock.now
        let settings = configuration.durability
        let directory = settings.directory
        var report = Report()
        let lock = try DirectoryLock(directory: directory)
        let search = try SnapshotFile.latestValid(in: directory)
        for rejected in search.rejected {
            logger.warning("snapshot rejected, falling back to an older one", metadata: ["path": "\(rejected.path)", "error": "\(rejected.error)"])
        }
        var pipeline: Pipeline
        if let snapshot = search.newestValid {
            var reader = BinaryReader(snapshot.payload, path: snapshot.path, baseOffset: SnapshotHeader.size)
            var engine = try SegmentEngine(restoringSnapshot: &reader)
            try reader.expectEnd()
            let differences = engine.configuration.settingDifferences(from: configuration.engine)
            guard differences.isEmpty else {
                throw Refusal(description: """
                    \(configuration.file): \(differences.joined(separator: ", ")) differ from the settings the state in \(directory) was built with \
                    (snapshot \(snapshot.path)); segment rules may change across restarts, these may not. Restore them, or move \(directory) \
                    aside to start with empty state.
                    """)
            }
            engine.deadLetterPayloadBytes = configuration.publish.deadLetterPayloadBytes
            pipeline = Pipeline(engine: engine, maxPayloadBytes: configuration.ingest.maxMessageBytes)
            report.snapshot = snapshot.path
            report.snapshotSequence = snapshot.header.journalSequence
        } else {
            if let first = try Journal.segmentStarts(in: directory).first, first > 1 {
                let reasons = search.rejected.map { "\($0.path): \($0.error)" }.joined(separator: "; ")
                throw Refusal(description: """
                    \(directory): no valid snapshot (\(reasons.isEmpty ? "none found" : reasons)), and the journal starts at record \(first), \
                    so the state before it cannot be rebuilt. Move \(directory) aside to start with empty state.
                    """)
            }
            pipeline = try LivePipelineFactory.make(configuration)
        }
        let journal = try Journal.open(directory: directory, fsync: settings.fsync, continuingAfter: report.snapshotSequence)
        if let torn = journal.recoveredTornTail {
            logger.warning("journal ended in a torn record (a crash mid-write); dropped it", metadata: ["tail": "\(torn)"])
        }
        var messages = JournaledMessageGroup()
        let replay = try Journal.replay(directory: directory, after: report.snapshotSequence) { sequence, payload in
            try JournalEntry.decode(payload, sequence: sequence, path: directory) { entry in
                if case .message(let receivedAt, let frames, let topic, let payload) = entry {
                    messages.add(receivedAt: receivedAt, frames: frames, topic: topic, payload: payload, to: &pipeline)
                } else {
                    messages.apply(to: &pipeline)
                    _ = entry.apply(to: &pipeline)
                    pipeline.engine.outbound.removeAll()
                }
            }
        }
        messages.apply(to: &pipeline)
        report.recordsReplayed = replay.recordsReplayed
        let state = StateStore(
            settings: settings, lock: lock, journal: journal, snapshotSequence: report.snapshotSequence, logger: logger, metrics: metrics,
            now: WallClock.milliseconds())
        if report.snapshot == nil {
            // From here on the journal always follows a snapshot, which records the settings it was built with.
            try state.snapshotNow(pipeline.engine)
        }
        if pipeline.engine.configuration.segments != configuration.engine.segments {
            if case .reloadFailed(let error) = try state.record(.reload(configuration.engine.segments), to: &pipeline) {
                throw Refusal(description: "\(configuration.file): the segment rules do not compile against the saved state: \(error)")
            }
            try state.commit()
        }
        if pipeline.engine.configuration.dedupCapacity != configuration.engine.dedupCapacity {
            _ = try state.record(.dedupCapacity(configuration.engine.dedupCapacity), to: &pipeline)
            try state.commit()
        }
        report.duration = started.duration(to: .now)
        return (pipeline, state, report)
    }
}
