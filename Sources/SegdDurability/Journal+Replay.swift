import Glibc

extension Journal {
    /// The first sequence number of each segment in `directory`, oldest first; empty when there is none.
    public static func segmentStarts(in directory: String) throws(DurabilityError) -> [UInt64] {
        try JournalFormat.fileName.entries(in: directory).map(\.sequence)
    }

    /// Hands every record with a sequence number above `sequence` to `body`, in order, across all segments in
    /// `directory`, checking each record's checksum and that numbers increase. Segments that end before
    /// `sequence` (the next one starts at or before `sequence + 1`) are skipped unread.
    ///
    /// A torn tail at the end of the last segment is returned in the summary, not thrown, and left in place;
    /// any other damage throws, after the records before it were handed over. A missing directory holds no
    /// records. The payload buffer is valid only during the call to `body`.
    public static func replay(
        directory: String,
        after sequence: UInt64 = 0,
        _ body: (_ sequence: UInt64, _ payload: UnsafeRawBufferPointer) throws -> Void
    ) throws -> ReplaySummary {
        let segments = try JournalFormat.fileName.entries(in: directory)
        var summary = ReplaySummary()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            if !isLast && JournalFormat.segment(endingBefore: segments[index + 1].sequence, isCoveredBy: sequence) {
                continue
            }
            let bytes = try PosixFile(path: segment.path, flags: O_RDONLY).readAll()
            try bytes.withUnsafeBytes { raw in
                let scan = try SegmentScan.walk(raw, firstSequence: segment.sequence, after: summary.lastSequence) {
                    recordSequence, payload in
                    guard recordSequence > sequence else { return }
                    try body(recordSequence, payload)
                    summary.recordsReplayed += 1
                }
                summary.tornTail = try scan.tornTail(in: raw, path: segment.path, isLastSegment: isLast)
                summary.lastSequence = scan.lastSequence ?? summary.lastSequence
            }
        }
        return summary
    }
}
