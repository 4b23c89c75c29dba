import Glibc

/// The append-only journal of accepted events: records in segment files `journal-<first sequence>.log` in one
/// directory, each record numbered by the journal (1, 2, 3, … across segments and restarts).
///
/// The daemon's loop thread owns it: `append` frames records into a buffer, `commit` writes the whole batch
/// with one positioned write and then fdatasyncs as the `FsyncPolicy` says, `syncIfDue` lets an idle loop honour
/// an interval policy. `startWrite` hands a large batch's write to a thread of its own (``BackgroundWrite``) so the
/// loop can apply the batch meanwhile; the next `commit` waits for it. Under an interval policy the fdatasync runs on a thread of its own (``BackgroundSync``)
/// while appends go on, and its outcome is collected at the next `commit` or `syncIfDue`; `rotate` and `close`
/// sync on the calling thread, after waiting for it. After a snapshot, `rotate` starts a new segment and
/// `removeSegments(coveredBy:)` deletes the ones the snapshot makes unnecessary. Opening cuts off a torn tail left by a crash (reported in
/// `recoveredTornTail`) and continues the numbering. Records appended but not committed are lost if the
/// journal is dropped without `close()`.
///
/// If a write fails, the segment is cut back to its last committed length and the batch stays buffered, so
/// `commit` can be retried. If an fdatasync fails, the journal refuses all further work: the kernel may have
/// discarded the unsynced pages and reported the loss only once (PostgreSQL's "fsyncgate"), so the only honest
/// recovery is to reopen and replay what is really on disk.
public final class Journal {
    private enum State {
        case open(PosixFile)
        case failed(DurabilityError)
        case closed
    }

    public let directory: String
    public let fsyncPolicy: FsyncPolicy
    /// The torn tail `open` found at the end of the last segment and cut off, for the caller to log.
    public let recoveredTornTail: TornTail?
    /// The sequence number the next `append` returns.
    public private(set) var nextSequence: UInt64
    public private(set) var counters: JournalCounters
    /// The segment appends go to.
    public private(set) var currentSegmentPath: String

    private var state: State
    /// The length of the current segment on disk; the buffer is written at this offset.
    private var writtenSize: Int
    private var buffer: [UInt8] = []
    /// The buffer a background write took, back with its capacity for the next one (``startWrite()``).
    private var spareBuffer: [UInt8] = []
    /// Writes batches off the appending thread when ``startWrite()`` asks.
    private let backgroundWrite = BackgroundWrite()
    /// Whether a batch is with the writer thread (``startWrite()``) and not yet waited for.
    private(set) var writeInFlight = false
    private var hasUnsyncedData = false
    private var lastSync: ContinuousClock.Instant?
    /// Runs the fdatasyncs of an interval policy off the appending thread; nil under the other policies.
    private let backgroundSync: BackgroundSync?
    /// Where the bytes begin whose writeback no one has started yet (interval policy).
    private var writebackStart: Int
    /// How much an interval policy writes before starting its writeback, as RocksDB's `bytes_per_sync`
    /// and PostgreSQL's `wal_writer_flush_after` do: an fdatasync left 12.6 MB to write at once (a second
    /// at 100,000 events/s) held up the appending thread for a few milliseconds, even from its own thread.
    static let writebackBytes = 1 << 20
    /// The least ``startWrite()`` hands to the writer thread.
    static let backgroundWriteBytes = 32 << 10

    private init(
        directory: String,
        fsyncPolicy: FsyncPolicy,
        segment: (file: PosixFile, path: String, size: Int),
        nextSequence: UInt64,
        recoveredTornTail: TornTail?,
        counters: JournalCounters
    ) {
        self.directory = directory
        self.fsyncPolicy = fsyncPolicy
        self.state = .open(segment.file)
        self.currentSegmentPath = segment.path
        self.writtenSize = segment.size
        writebackStart = segment.size
        self.nextSequence = nextSequence
        self.recoveredTornTail = recoveredTornTail
        self.counters = counters
        if case .interval = fsyncPolicy { backgroundSync = BackgroundSync() } else { backgroundSync = nil }
    }

    deinit {
        // A write or sync still running holds the descriptor the file closes when it goes.
        if writeInFlight { _ = backgroundWrite.wait() }
        _ = backgroundSync?.wait()
    }

    /// Opens the journal in `directory` (created if missing) for appending: continues the last segment after
    /// cutting off a torn tail, or starts the first one. Numbering continues after the last record on disk and
    /// after `snapshotSequence`, so a journal directory that was emptied cannot reuse numbers a snapshot covers.
    public static func open(
        directory: String,
        fsync policy: FsyncPolicy,
        continuingAfter snapshotSequence: UInt64 = 0
    ) throws(DurabilityError) -> Journal {
        try Directory.create(directory)
        try JournalFormat.fileName.removeLeftoverTemporaryFiles(in: directory)
        var counters = JournalCounters()
        guard let last = try JournalFormat.fileName.entries(in: directory).last else {
            let segment = try createSegment(in: directory, firstSequence: snapshotSequence + 1, policy: policy, counters: &counters)
            return Journal(
                directory: directory, fsyncPolicy: policy, segment: segment, nextSequence: snapshotSequence + 1,
                recoveredTornTail: nil, counters: counters
            )
        }
        let file = try PosixFile(path: last.path, flags: O_RDWR)
        let bytes = try file.readAll()
        let (scan, tornTail) = try bytes.withRawBytes { (raw) throws(DurabilityError) in
            let scan = SegmentScan.walk(raw, firstSequence: last.sequence, after: 0) { _, _ in }
            return (scan, try scan.tornTail(in: raw, path: last.path, isLastSegment: true))
        }
        var size = scan.intactEnd
        if tornTail != nil {
            // Not fsynced on its own: the next fdatasync covers the new length, and a cut lost in a crash before
            // then only brings back the same tail for the next open to cut.
            try file.truncate(to: size)
            if size < JournalFormat.fileHeaderSize {
                let header = JournalFormat.fileHeader
                try file.write(header, at: 0)
                counters.bytesAppended += UInt64(header.count)
                size = header.count
            }
        }
        let nextSequence = max(scan.lastSequence.map { $0 + 1 } ?? last.sequence, snapshotSequence + 1)
        return Journal(
            directory: directory, fsyncPolicy: policy, segment: (file, last.path, size), nextSequence: nextSequence,
            recoveredTornTail: tornTail, counters: counters
        )
    }

    /// The longest payload ``append(_:)`` takes.
    public static var maximumPayloadLength: Int { JournalFormat.maximumPayloadLength }

    /// Frames `payload` as the next record in the buffer and returns its sequence number. Nothing reaches the
    /// file until `commit`.
    @discardableResult
    public func append(_ payload: UnsafeRawBufferPointer) throws(DurabilityError) -> UInt64 {
        _ = try openFile()
        guard payload.count <= JournalFormat.maximumPayloadLength else { throw tooLong(payload, at: writtenSize + buffer.count) }
        let sequence = nextSequence
        JournalFormat.appendRecord(sequence: sequence, payload: payload, to: &buffer)
        nextSequence += 1
        return sequence
    }

    @discardableResult
    public func append(_ payload: [UInt8]) throws(DurabilityError) -> UInt64 {
        try payload.withRawBytes { (raw) throws(DurabilityError) in try append(raw) }
    }

    /// Frames `payload(0)`, …, `payload(count - 1)` as the next records, as that many calls of
    /// ``append(_:)-(UnsafeRawBufferPointer)`` would; none of them when one is too long. One call
    /// for a batch: the loop thread journals every inbound message, and per record the checks of
    /// the journal's state and of exclusive access to its buffer cost more than the framing.
    public func append(count: Int, _ payload: (Int) -> UnsafeRawBufferPointer) throws(DurabilityError) {
        _ = try openFile()
        var records: [UInt8] = []
        swap(&records, &buffer)
        defer { swap(&records, &buffer) }
        let batchStart = records.count
        var sequence = nextSequence
        for index in 0..<count {
            let bytes = payload(index)
            guard bytes.count <= JournalFormat.maximumPayloadLength else {
                records.removeSubrange(batchStart...)  // none of the batch is framed
                throw tooLong(bytes, at: writtenSize + batchStart)
            }
            JournalFormat.appendRecord(sequence: sequence, payload: bytes, to: &records)
            sequence += 1
        }
        nextSequence = sequence
    }

    /// The error for `payload`, longer than a record may be, whose record would start at `offset`.
    private func tooLong(_ payload: UnsafeRawBufferPointer, at offset: Int) -> DurabilityError {
        DurabilityError(
            .lengthTooLarge(UInt64(payload.count), maximum: UInt64(JournalFormat.maximumPayloadLength)),
            path: currentSegmentPath, offset: offset
        )
    }

    /// Writes the records appended since the last commit with one write, then fdatasyncs if the policy says so
    /// (under an interval policy, starts the fdatasync in the background). Throws, leaving the journal
    /// unusable, if a background fdatasync finished since the last call had failed. `now` is injectable so
    /// tests can drive an interval policy without sleeping.
    public func commit(now: ContinuousClock.Instant = .now) throws(DurabilityError) {
        let file = try openFile()
        try writeBuffer(to: file)
        try collectBackgroundSync()
        if syncIsDue(now: now) {
            try sync(file, now: now)
        } else if let backgroundSync, writtenSize - writebackStart >= Self.writebackBytes {
            backgroundSync.startWriteback(descriptor: file.descriptorForBackgroundIO, offset: writebackStart, length: writtenSize - writebackStart)
            writebackStart = writtenSize
        }
    }

    /// Starts writing the records appended so far on a thread of its own and returns at once; appends may go on
    /// meanwhile. The next `commit` (or `rotate`, `close`) waits for the write, then goes on as it would have: the
    /// caller still commits before publishing anything the records caused. A failed write is reported there, with
    /// its records back in the buffer.
    public func startWrite() throws(DurabilityError) {
        let file = try openFile()
        try finishWrite(file)
        // A small batch is left to `commit`: handing it to the other thread and waiting for that thread to wake
        // would take longer than writing it here.
        guard buffer.count >= Self.backgroundWriteBytes else { return }
        // Moved, not shared, so that the write's buffer comes back without another reference to it.
        let batch = buffer
        buffer = spareBuffer
        spareBuffer = []
        backgroundWrite.start(batch, at: writtenSize, descriptor: file.descriptorForBackgroundIO, path: currentSegmentPath)
        writeInFlight = true
    }

    /// For an interval policy: fdatasyncs committed records (in the background) if the interval has passed
    /// since the last fdatasync started. Call it when the loop is idle, so a quiet period does not leave a last
    /// batch unsynced. Returns whether it started a sync; not while the previous one still runs.
    @discardableResult
    public func syncIfDue(now: ContinuousClock.Instant = .now) throws(DurabilityError) -> Bool {
        let file = try openFile()
        try collectBackgroundSync()
        guard syncIsDue(now: now) else { return false }
        return try sync(file, now: now)
    }

    /// Waits for an fdatasync running in the background (interval policy) and counts it; throws, leaving
    /// the journal unusable, if it failed.
    public func waitForBackgroundSync() throws(DurabilityError) {
        guard let outcome = backgroundSync?.wait() else { return }
        try account(outcome)
    }

    /// Commits, and starts a new segment named after the next sequence number so that everything before it
    /// can be deleted once a snapshot covers it. Does nothing while the current segment holds no records.
    public func rotate() throws(DurabilityError) {
        let file = try openFile()
        try writeBuffer(to: file)
        try waitForBackgroundSync()
        guard writtenSize > JournalFormat.fileHeaderSize else { return }
        if hasUnsyncedData && fsyncPolicy != .none { try syncData(file, now: .now) }
        do throws(DurabilityError) {
            let segment = try Self.createSegment(
                in: directory, firstSequence: nextSequence, policy: fsyncPolicy, counters: &counters
            )
            state = .open(segment.file)
            currentSegmentPath = segment.path
            writtenSize = segment.size
            writebackStart = segment.size
            hasUnsyncedData = false
        } catch {
            throw fail(error)
        }
    }

    /// Deletes the segments whose records a snapshot covering `snapshotSequence` makes unnecessary: those whose
    /// next segment begins at or before `snapshotSequence + 1`. The current segment is never deleted. Returns
    /// how many were deleted.
    ///
    /// The directory is not fsynced: a deletion lost in a crash brings back a segment the snapshot covers, which
    /// replay skips and the next call deletes again.
    @discardableResult
    public func removeSegments(coveredBy snapshotSequence: UInt64) throws(DurabilityError) -> Int {
        let segments = try JournalFormat.fileName.entries(in: directory)
        var removed = 0
        for (segment, next) in zip(segments, segments.dropFirst())
        where JournalFormat.segment(endingBefore: next.sequence, isCoveredBy: snapshotSequence) {
            try Directory.remove(segment.path)
            removed += 1
        }
        return removed
    }

    /// Commits, then rewrites the segments without the records `keep` rejects (see the static `rewrite`) and
    /// continues appending to the rewritten current segment. Sequence numbers are not reused.
    public func rewrite(keeping keep: (UnsafeRawBufferPointer) throws -> Bool) throws -> RewriteSummary {
        try commit()
        try waitForBackgroundSync()
        let summary: RewriteSummary
        do {
            summary = try Self.rewrite(directory: directory, keeping: keep)
        } catch {
            try reopenCurrentSegment()
            throw error
        }
        try reopenCurrentSegment()
        return summary
    }

    /// Commits what is buffered, fdatasyncs unless the policy is `.none`, and closes the segment. Using the
    /// journal afterwards is a programming error; closing twice is harmless.
    public func close() throws(DurabilityError) {
        guard case .open(let file) = state else {
            state = .closed
            return
        }
        try writeBuffer(to: file)
        try waitForBackgroundSync()
        if hasUnsyncedData && fsyncPolicy != .none { try syncData(file, now: .now) }
        state = .closed
    }

    private func openFile() throws(DurabilityError) -> PosixFile {
        switch state {
        case .open(let file):
            return file
        case .failed(let cause):
            throw DurabilityError(.journalUnusable(after: cause.description), path: currentSegmentPath)
        case .closed:
            preconditionFailure("Journal in \(directory) used after close()")
        }
    }

    /// Writes what is buffered, after the background write if one runs.
    private func writeBuffer(to file: PosixFile) throws(DurabilityError) {
        try finishWrite(file)
        guard !buffer.isEmpty else { return }
        do throws(DurabilityError) {
            try file.write(buffer, at: writtenSize)
        } catch {
            try cutBackAfterFailedWrite(file)
            throw error
        }
        wrote(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Waits for the background write, if one runs, and accounts for it; a failed one puts its records back in
    /// front of those appended since, so that a retried commit writes them all in order.
    private func finishWrite(_ file: PosixFile) throws(DurabilityError) {
        guard writeInFlight else { return }
        writeInFlight = false
        guard var finished = backgroundWrite.wait() else { preconditionFailure("a journal write in flight left no outcome") }
        if let failure = finished.failure {
            try cutBackAfterFailedWrite(file)
            buffer.insert(contentsOf: finished.bytes, at: 0)
            throw failure
        }
        wrote(finished.bytes.count)
        finished.bytes.removeAll(keepingCapacity: true)
        spareBuffer = finished.bytes
    }

    private func wrote(_ count: Int) {
        writtenSize += count
        counters.bytesAppended += UInt64(count)
        hasUnsyncedData = true
    }

    /// A partial write left part of a record; appending after it would bury a torn record mid-segment.
    private func cutBackAfterFailedWrite(_ file: PosixFile) throws(DurabilityError) {
        do throws(DurabilityError) { try file.truncate(to: writtenSize) } catch { throw fail(error) }
    }

    private func syncIsDue(now: ContinuousClock.Instant) -> Bool {
        guard hasUnsyncedData else { return false }
        switch fsyncPolicy {
        case .always: return true
        case .none: return false
        case .interval(let milliseconds):
            guard let lastSync else { return true }
            return lastSync.duration(to: now) >= .milliseconds(milliseconds)
        }
    }

    /// Syncs what was written: in the background under an interval policy, unless the previous background sync
    /// still runs (then the next commit tries again); on this thread otherwise. Returns whether it synced or
    /// started a sync.
    @discardableResult
    private func sync(_ file: PosixFile, now: ContinuousClock.Instant) throws(DurabilityError) -> Bool {
        guard let backgroundSync else {
            try syncData(file, now: now)
            return true
        }
        guard backgroundSync.start(descriptor: file.descriptorForBackgroundIO, path: currentSegmentPath) else { return false }
        // What was written so far is covered once the sync finishes; a failure makes the journal unusable.
        hasUnsyncedData = false
        lastSync = now
        writebackStart = writtenSize
        return true
    }

    private func collectBackgroundSync() throws(DurabilityError) {
        guard let outcome = backgroundSync?.collect() else { return }
        try account(outcome)
    }

    private func account(_ outcome: BackgroundSync.Outcome) throws(DurabilityError) {
        if let failure = outcome.failure { throw fail(failure) }
        counters.countSync(nanoseconds: outcome.nanoseconds)
    }

    private func syncData(_ file: PosixFile, now: ContinuousClock.Instant) throws(DurabilityError) {
        do throws(DurabilityError) {
            try counters.timeSync { () throws(DurabilityError) in try file.syncData() }
        } catch {
            throw fail(error)
        }
        hasUnsyncedData = false
        lastSync = now
    }

    private func reopenCurrentSegment() throws(DurabilityError) {
        do throws(DurabilityError) {
            let file = try PosixFile(path: currentSegmentPath, flags: O_RDWR)
            writtenSize = try file.size()
            writebackStart = writtenSize
            state = .open(file)
        } catch {
            throw fail(error)
        }
    }

    /// Marks the journal unusable (see the type's comment) and returns the error to throw.
    private func fail(_ error: DurabilityError) -> DurabilityError {
        // The file goes with the state; a sync still running must finish with its descriptor first.
        _ = backgroundSync?.wait()
        state = .failed(error)
        return error
    }

    /// Creates a segment holding only the header; unless the policy is `.none`, makes it and its directory
    /// entry durable, so a crash cannot lose the file that fixes where numbering continues.
    private static func createSegment(
        in directory: String,
        firstSequence: UInt64,
        policy: FsyncPolicy,
        counters: inout JournalCounters
    ) throws(DurabilityError) -> (file: PosixFile, path: String, size: Int) {
        let path = Directory.path(directory, JournalFormat.fileName.name(for: firstSequence))
        let file = try PosixFile(path: path, flags: O_RDWR | O_CREAT | O_EXCL)
        let header = JournalFormat.fileHeader
        try file.write(header, at: 0)
        counters.bytesAppended += UInt64(header.count)
        if policy != .none {
            try counters.timeSync { () throws(DurabilityError) in try file.syncData() }
            try counters.timeSync { () throws(DurabilityError) in try Directory.sync(directory) }
        }
        return (file, path, header.count)
    }
}

/// The journal belongs to the loop thread that appends; nothing in it is synchronized.
@available(*, unavailable)
extension Journal: Sendable {}
