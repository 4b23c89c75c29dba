import Glibc

/// Snapshot files `snapshot-<journal sequence>.snap` in one directory: written atomically, read back verified,
/// with the newest few kept so that a damaged newest one still leaves something to start from.
public enum SnapshotFile {
    public static let defaultRetainCount = 2

    /// Writes `payload` as the snapshot covering the journal up to `journalSequence` — to
    /// `snapshot-….snap.tmp`, fsynced, renamed into place, directory fsynced — then deletes all but the
    /// `retain` newest snapshots and any `.tmp` left by an earlier crash. Returns the snapshot's path.
    @discardableResult
    public static func write(
        _ payload: [UInt8],
        journalSequence: UInt64,
        in directory: String,
        createdAtMilliseconds: UInt64 = currentEpochMilliseconds(),
        retain: Int = defaultRetainCount
    ) throws(DurabilityError) -> String {
        precondition(retain >= 1, "SnapshotFile.write: retain must keep at least the snapshot just written")
        try Directory.create(directory)
        let header = SnapshotHeader(
            journalSequence: journalSequence, createdAtMilliseconds: createdAtMilliseconds, payload: payload
        )
        let path = try AtomicFile.write(name: SequencedFileName.snapshot.name(for: journalSequence), in: directory) {
            file throws(DurabilityError) in
            try file.write(header.encoded, at: 0)
            try file.write(payload, at: SnapshotHeader.size)
        }
        try SequencedFileName.snapshot.removeLeftoverTemporaryFiles(in: directory)
        for old in try SequencedFileName.snapshot.entries(in: directory).dropLast(retain) {
            try Directory.remove(old.path)
        }
        return path
    }

    /// The newest snapshot in `directory` that checks out, trying older ones when it does not; `.tmp` files
    /// are ignored. Throws only when the directory cannot be listed (a missing one holds no snapshots).
    public static func latestValid(in directory: String) throws(DurabilityError) -> SnapshotSearch {
        var rejected: [SnapshotRejection] = []
        for entry in try SequencedFileName.snapshot.entries(in: directory).reversed() {
            do throws(DurabilityError) {
                return SnapshotSearch(newestValid: try load(path: entry.path), rejected: rejected)
            } catch {
                rejected.append(SnapshotRejection(path: entry.path, error: error))
            }
        }
        return SnapshotSearch(newestValid: nil, rejected: rejected)
    }

    /// The journal sequence numbers of the snapshots in `directory`, oldest first (valid or not).
    public static func sequences(in directory: String) throws(DurabilityError) -> [UInt64] {
        try SequencedFileName.snapshot.entries(in: directory).map(\.sequence)
    }

    /// The checked header alone, without reading the payload: for `segd inspect`.
    public static func readHeader(path: String) throws(DurabilityError) -> SnapshotHeader {
        let file = try PosixFile(path: path, flags: O_RDONLY)
        return try SnapshotHeader(decoding: file.read(count: SnapshotHeader.size, at: 0), path: path)
    }

    /// Reads and verifies the snapshot at `path`: header, the journal sequence in its name (when it has a
    /// snapshot name), its size and its payload checksum.
    public static func load(path: String) throws(DurabilityError) -> Snapshot {
        let file = try PosixFile(path: path, flags: O_RDONLY)
        let header = try SnapshotHeader(decoding: file.read(count: SnapshotHeader.size, at: 0), path: path)
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        if let nameSequence = SequencedFileName.snapshot.sequence(in: name), nameSequence != header.journalSequence {
            throw DurabilityError(.nameMismatch(nameSequence: nameSequence, headerSequence: header.journalSequence), path: path)
        }
        let payloadOnDisk = UInt64(max(0, try file.size() - SnapshotHeader.size))
        guard payloadOnDisk >= header.payloadLength else {
            throw DurabilityError(
                .truncated(needed: Int(clamping: header.payloadLength), available: Int(payloadOnDisk)),
                path: path, offset: SnapshotHeader.size
            )
        }
        guard payloadOnDisk == header.payloadLength else {
            throw DurabilityError(
                .sizeMismatch(expected: UInt64(SnapshotHeader.size) + header.payloadLength, actual: UInt64(SnapshotHeader.size) + payloadOnDisk),
                path: path
            )
        }
        let payload = try file.read(count: Int(header.payloadLength), at: SnapshotHeader.size)
        guard payload.count == Int(header.payloadLength) else {
            throw DurabilityError(
                .truncated(needed: Int(header.payloadLength), available: payload.count), path: path, offset: SnapshotHeader.size
            )
        }
        let computed = CRC32C.checksum(payload)
        guard computed == header.payloadChecksum else {
            throw DurabilityError(
                .checksumMismatch(region: "payload", stored: header.payloadChecksum, computed: computed),
                path: path, offset: SnapshotHeader.size
            )
        }
        return Snapshot(path: path, header: header, payload: payload)
    }

    /// Wall-clock time for `createdAtMilliseconds`; the journal sequence, not this, orders snapshots.
    public static func currentEpochMilliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec / 1_000_000)
    }
}
