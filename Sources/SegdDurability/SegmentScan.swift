/// One pass over a journal segment held in memory: hands every intact record to a closure and stops at the
/// first thing that is not one, remembering where and why. Whether that stop is a torn tail to cut off or
/// damage to refuse is decided by `tornTail(in:path:isLastSegment:)`, in one place for open, replay and rewrite.
struct SegmentScan {
    /// Just past the last intact record (0 when even the file header is incomplete): where appending resumes.
    private(set) var intactEnd = 0
    /// The sequence number of the last intact record, nil when there is none.
    private(set) var lastSequence: UInt64?
    /// Where the walk stopped before the end of the bytes, and why.
    private(set) var defect: (offset: Int, problem: DurabilityError.Problem)?
    /// The sequence number a following record must exceed.
    private var acceptedSequence: UInt64 = 0

    /// Walks `bytes`, the whole of a segment whose name says its records start at `firstSequence`; every record
    /// must have a sequence number above `previous` (the last one of the segments before).
    static func walk(
        _ bytes: UnsafeRawBufferPointer,
        firstSequence: UInt64,
        after previous: UInt64,
        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void
    ) rethrows -> SegmentScan {
        var scan = SegmentScan()
        let headerSize = JournalFormat.fileHeaderSize
        guard bytes.count >= headerSize else {
            scan.defect = (0, .truncated(needed: headerSize, available: bytes.count))
            return scan
        }
        guard bytes.prefix(JournalFormat.magic.count).elementsEqual(JournalFormat.magic) else {
            scan.defect = (0, .badMagic(expected: "journal segment"))
            return scan
        }
        let version: UInt32 = bytes.loadLittleEndian(at: JournalFormat.magic.count)
        guard version == JournalFormat.version else {
            scan.defect = (JournalFormat.magic.count, .unsupportedVersion(found: version, supported: JournalFormat.version))
            return scan
        }
        scan.acceptedSequence = max(previous, firstSequence > 0 ? firstSequence - 1 : 0)
        var offset = headerSize
        scan.intactEnd = offset
        while offset < bytes.count {
            let available = bytes.count - offset
            guard available >= JournalFormat.recordHeaderSize else {
                scan.defect = (offset, .truncated(needed: JournalFormat.recordHeaderSize, available: available))
                break
            }
            let length: UInt32 = bytes.loadLittleEndian(at: offset)
            guard length <= JournalFormat.maximumPayloadLength else {
                scan.defect = (offset, .lengthTooLarge(UInt64(length), maximum: UInt64(JournalFormat.maximumPayloadLength)))
                break
            }
            let recordSize = JournalFormat.recordHeaderSize + Int(length)
            guard recordSize <= available else {
                scan.defect = (offset, .truncated(needed: recordSize, available: available))
                break
            }
            let stored: UInt32 = bytes.loadLittleEndian(at: offset + 4)
            let sequence: UInt64 = bytes.loadLittleEndian(at: offset + 8)
            let payloadStart = offset + JournalFormat.recordHeaderSize
            let payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<offset + recordSize])
            let computed = JournalFormat.checksum(length: length, sequence: sequence, payload: payload)
            guard computed == stored else {
                scan.defect = (offset, .checksumMismatch(region: "record", stored: stored, computed: computed))
                break
            }
            guard sequence > scan.acceptedSequence else {
                scan.defect = (offset, .sequenceNotIncreasing(previous: scan.acceptedSequence, found: sequence))
                break
            }
            try body(sequence, payload)
            scan.acceptedSequence = sequence
            scan.lastSequence = sequence
            offset += recordSize
            scan.intactEnd = offset
        }
        return scan
    }

    /// Nil when the segment ended cleanly; a `TornTail` when the walk stopped at what an interrupted append
    /// leaves behind in the last segment; otherwise throws the defect as damage.
    ///
    /// An append writes at the end of the last segment only, so what a crash leaves is a short record, a
    /// damaged length, or a failing checksum — with no intact record anywhere after it. That last condition is
    /// what tells a torn tail from damage: a bad record followed by a good one (or any defect in an earlier
    /// segment) would lose acknowledged records if dropped, so it throws. A sequence number that does not
    /// increase, or a bad file header, is never what an append leaves.
    func tornTail(in bytes: UnsafeRawBufferPointer, path: String, isLastSegment: Bool) throws(DurabilityError) -> TornTail? {
        guard let defect else { return nil }
        let (offset, problem) = defect
        let isTailKind = switch problem {
        case .truncated, .lengthTooLarge, .checksumMismatch: true
        default: false
        }
        guard isLastSegment, isTailKind, !Self.containsIntactRecord(bytes, from: offset + 1, after: acceptedSequence)
        else { throw DurabilityError(problem, path: path, offset: offset) }
        return TornTail(path: path, offset: offset, droppedBytes: bytes.count - offset, problem: problem)
    }

    /// Whether an intact record — plausible length, a sequence number above `previous`, matching checksum —
    /// starts at any offset from `start` on. Cheap on what torn tails hold: zeros fail the sequence test and
    /// random bytes the length test before any checksum is computed.
    private static func containsIntactRecord(_ bytes: UnsafeRawBufferPointer, from start: Int, after previous: UInt64) -> Bool {
        var offset = start
        while bytes.count - offset >= JournalFormat.recordHeaderSize {
            defer { offset += 1 }
            let length: UInt32 = bytes.loadLittleEndian(at: offset)
            let recordSize = JournalFormat.recordHeaderSize + Int(length)
            guard length <= JournalFormat.maximumPayloadLength, recordSize <= bytes.count - offset else { continue }
            let sequence: UInt64 = bytes.loadLittleEndian(at: offset + 8)
            guard sequence > previous else { continue }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[offset + JournalFormat.recordHeaderSize..<offset + recordSize])
            if JournalFormat.checksum(length: length, sequence: sequence, payload: payload) == bytes.loadLittleEndian(at: offset + 4) {
                return true
            }
        }
        return false
    }
}
