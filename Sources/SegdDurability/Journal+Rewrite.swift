import Glibc

extension Journal {
    /// Rewrites the segments in `directory` without the records whose payload `keep` rejects — how a "forget
    /// this customer" request removes personal data from the journal. Kept records keep their sequence numbers.
    ///
    /// Each segment that loses a record is replaced atomically (temporary file, fsync, rename; one directory
    /// fsync at the end), whatever the journal's fsync policy, because a forget request must not come back
    /// after a crash. The replacement is per segment: a crash part-way leaves some segments rewritten and the
    /// rest untouched, all valid, and running the rewrite again finishes the job. A torn tail is dropped with
    /// the rejected records; damage anywhere else throws before that segment is replaced.
    ///
    /// No `Journal` may have the directory open meanwhile (its descriptor would keep writing to the replaced
    /// file); use the instance method `rewrite(keeping:)` on an open journal. When the last records of the last
    /// segment are removed, a later `open` continues numbering after the last record left, unless it is given
    /// the sequence a snapshot covers.
    public static func rewrite(
        directory: String,
        keeping keep: (_ payload: UnsafeRawBufferPointer) throws -> Bool
    ) throws -> RewriteSummary {
        try JournalFormat.fileName.removeLeftoverTemporaryFiles(in: directory)
        let segments = try JournalFormat.fileName.entries(in: directory)
        var summary = RewriteSummary()
        var previous: UInt64 = 0
        for (index, segment) in segments.enumerated() {
            let bytes = try PosixFile(path: segment.path, flags: O_RDONLY).readAll()
            var kept = JournalFormat.fileHeader
            var keptCount = 0
            var removed = 0
            let tornTail = try bytes.withUnsafeBytes { raw in
                let scan = try SegmentScan.walk(raw, firstSequence: segment.sequence, after: previous) { sequence, payload in
                    if try keep(payload) {
                        JournalFormat.appendRecord(sequence: sequence, payload: payload, to: &kept)
                        keptCount += 1
                    } else {
                        removed += 1
                    }
                }
                previous = scan.lastSequence ?? previous
                return try scan.tornTail(in: raw, path: segment.path, isLastSegment: index == segments.count - 1)
            }
            summary.recordsRemoved += removed
            summary.recordsKept += keptCount
            guard removed > 0 || tornTail != nil else { continue }
            summary.tornTail = tornTail
            try AtomicFile.write(
                name: JournalFormat.fileName.name(for: segment.sequence), in: directory, syncDirectory: false
            ) { file throws(DurabilityError) in
                try file.write(kept, at: 0)
            }
            summary.segmentsRewritten += 1
        }
        if summary.segmentsRewritten > 0 { try Directory.sync(directory) }
        return summary
    }
}
