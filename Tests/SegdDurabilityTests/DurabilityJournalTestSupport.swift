@testable import SegdDurability

/// Everything a replay handed over, copied out of the closure.
struct ReplayedJournal {
    var records: [(sequence: UInt64, payload: [UInt8])] = []
    var summary = ReplaySummary()

    var sequences: [UInt64] { records.map(\.sequence) }
}

func replayAll(_ directory: String, after sequence: UInt64 = 0) throws -> ReplayedJournal {
    var replayed = ReplayedJournal()
    replayed.summary = try Journal.replay(directory: directory, after: sequence) { sequence, payload in
        replayed.records.append((sequence, Array(payload)))
    }
    return replayed
}

/// Opens a journal in `directory`, appends `payloads` in one batch, commits and closes it.
@discardableResult
func writeJournal(_ directory: String, _ payloads: [[UInt8]], fsync: FsyncPolicy = .none) throws -> [UInt64] {
    let journal = try Journal.open(directory: directory, fsync: fsync)
    let sequences = try payloads.map { try journal.append($0) }
    try journal.commit()
    try journal.close()
    return sequences
}

func segmentPath(_ directory: String, first sequence: UInt64) -> String {
    directory + "/" + SequencedFileName.journalSegment.name(for: sequence)
}

/// The file offset where record `index` (0-based) of a segment starts, for payloads of the given sizes.
func recordOffset(_ index: Int, payloadSizes: [Int]) -> Int {
    JournalFormat.fileHeaderSize + payloadSizes[..<index].reduce(0) { $0 + JournalFormat.recordHeaderSize + $1 }
}
