import Logging
import SegdCore
import SegdDurability

/// The daemon's durable state: the journal every change goes through and the snapshots that
/// bound how much of it a restart replays. Owned by the ingest loop's thread.
///
/// Write-ahead, with group commit: ``record(_:to:)`` appends an entry to the journal's buffer
/// before applying it; the loop calls ``commit()`` at the end of each batch, before it publishes
/// anything the batch produced. So no alert, metric or lookup ever reflects an event the journal
/// could lose, and with `fsync = "always"` no event whose effects were visible is lost by a crash.
final class StateStore {
    let settings: SegdConfiguration.Durability
    /// Held for as long as the store lives, so no second daemon opens the directory.
    private let lock: DirectoryLock
    private let journal: Journal
    private let logger: Logger
    private let metrics: SegdMetrics
    private var entryBytes = BinaryWriter()
    private var exported = JournalCounters()
    private var snapshot: BackgroundSnapshot?
    /// When the last snapshot was started (wall clock, milliseconds), and up to which record.
    private var lastSnapshotStarted: Int64
    private var lastSnapshotSequence: UInt64

    init(settings: SegdConfiguration.Durability, lock: DirectoryLock, journal: Journal, snapshotSequence: UInt64, logger: Logger, metrics: SegdMetrics, now: Int64) {
        self.settings = settings
        self.lock = lock
        self.journal = journal
        self.logger = logger
        self.metrics = metrics
        lastSnapshotSequence = snapshotSequence
        lastSnapshotStarted = now
    }

    /// The number of the last record journaled.
    var lastSequence: UInt64 { journal.nextSequence - 1 }

    /// Journals `entry`, then applies it to `pipeline`.
    func record(_ entry: JournalEntry, to pipeline: inout Pipeline) throws(DurabilityError) -> JournalEntry.Effect {
        entry.encode(into: &entryBytes)
        try journal.append(entryBytes.bytes)
        return entry.apply(to: &pipeline)
    }

    /// Journals `count` entries encoded already (``JournalEntry/encode(into:)``), `entry(0)` first,
    /// for a caller that applies them next.
    func journal(count: Int, encoded entry: (Int) -> UnsafeRawBufferPointer) throws(DurabilityError) {
        try journal.append(count: count, entry)
    }

    /// Starts writing the entries journaled so far on the journal's writer thread, so that applying
    /// them overlaps the write; ``commit()`` waits for it.
    func startWrite() throws(DurabilityError) {
        try journal.startWrite()
    }

    /// Writes the batch's entries, fsyncing as the policy says. Call before publishing its outcome.
    func commit() throws(DurabilityError) {
        try journal.commit()
    }

    /// An idle turn: honours an interval fsync policy although no batch commits.
    func idle() throws(DurabilityError) {
        try journal.syncIfDue()
    }

    /// Starts a background snapshot of `engine` when the interval has passed and something was
    /// journaled since the last one; collects a finished one. `wake` is called when it finishes.
    /// `engine` is taken only when a snapshot starts: the loop asks every turn, and handing over
    /// the engine costs a retain and release of each of its arrays.
    func snapshotIfDue(_ engine: @autoclosure () -> SegmentEngine, now: Int64, wake: @escaping @Sendable () -> Void) throws(DurabilityError) {
        try collectFinishedSnapshot()
        guard snapshot == nil, lastSequence > lastSnapshotSequence,
              now - lastSnapshotStarted >= settings.snapshotIntervalMilliseconds else { return }
        try startSnapshot(engine(), now: now, wake: wake)
    }

    /// Writes a snapshot of `engine` now, on this thread, after any running one: at a stop, and
    /// after a forget, when `retain` is 1 so that no older snapshot still holds the customer.
    func snapshotNow(_ engine: SegmentEngine, retain: Int? = nil) throws(DurabilityError) {
        if let running = snapshot {
            snapshot = nil
            try finish(running.wait())
        }
        try journal.rotate()
        let sequence = lastSequence
        lastSnapshotStarted = WallClock.milliseconds()
        try finish(BackgroundSnapshot.write(engine, journalSequence: sequence, directory: settings.directory, retain: retain ?? settings.snapshotsRetained))
    }

    /// Stops: a last snapshot of `engine`, then the journal is closed (and fsynced unless the policy is `none`).
    func close(_ engine: SegmentEngine) throws(DurabilityError) {
        try snapshotNow(engine)
        try journal.close()
        exportMetrics()
    }

    /// Copies the journal's byte and fsync counters into the metrics.
    func exportMetrics() {
        let counters = journal.counters
        metrics.journalBytes.add(Int(counters.bytesAppended - exported.bytesAppended))
        let syncs = counters.fsyncCount - exported.fsyncCount
        if syncs > 0 {
            // The journal keeps totals: each fsync since the last export is recorded at their mean.
            let mean = Duration.nanoseconds(Int64((counters.fsyncNanoseconds - exported.fsyncNanoseconds) / syncs))
            for _ in 0..<syncs { metrics.journalFsyncSeconds.record(mean) }
        }
        exported = counters
    }

    private func startSnapshot(_ engine: SegmentEngine, now: Int64, wake: @escaping @Sendable () -> Void) throws(DurabilityError) {
        // A new segment from the next record on, so the ones before can go once the snapshot is written.
        try journal.rotate()
        lastSnapshotStarted = now
        snapshot = BackgroundSnapshot(
            engine.copyForSnapshot(), journalSequence: lastSequence, directory: settings.directory, retain: settings.snapshotsRetained, finished: wake)
    }

    private func collectFinishedSnapshot() throws(DurabilityError) {
        guard let running = snapshot, let result = running.result else { return }
        snapshot = nil
        try finish(result)
    }

    /// Records a written snapshot and deletes the journal segments that every retained snapshot
    /// covers; a failed snapshot is logged and retried at the next interval (the journal keeps everything).
    private func finish(_ result: Result<BackgroundSnapshot.Written, DurabilityError>) throws(DurabilityError) {
        switch result {
        case .success(let written):
            lastSnapshotSequence = written.journalSequence
            metrics.snapshotCompleted(duration: written.duration)
            let oldestRetained = try SnapshotFile.sequences(in: settings.directory).first ?? written.journalSequence
            let removed = try journal.removeSegments(coveredBy: oldestRetained)
            logger.info("snapshot written", metadata: [
                "path": "\(written.path)", "journal_sequence": "\(written.journalSequence)", "bytes": "\(written.bytes)",
                "duration": "\(written.duration)", "journal_segments_removed": "\(removed)",
            ])
        case .failure(let error):
            logger.error("snapshot failed; the journal keeps everything since the last one", metadata: ["error": "\(error)"])
        }
    }
}

/// The state store belongs to the loop thread; nothing in it is synchronized.
@available(*, unavailable)
extension StateStore: Sendable {}
