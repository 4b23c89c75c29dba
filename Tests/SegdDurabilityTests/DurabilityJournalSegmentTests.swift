import Testing
@testable import SegdDurability

@Suite struct JournalSegmentTests {
    @Test func rotationStartsASegmentNamedAfterTheNextSequence() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            for index in 1...3 { try journal.append(payload(index)) }
            try journal.rotate()
            #expect(journal.currentSegmentPath == segmentPath(directory, first: 4))
            for index in 4...5 { try journal.append(payload(index)) }
            try journal.rotate()
            try journal.rotate()
            try journal.close()
            #expect(try fileNames(directory) == [
                "journal-0000000000000001.log", "journal-0000000000000004.log", "journal-0000000000000006.log",
            ])
            #expect(try replayAll(directory).sequences == [1, 2, 3, 4, 5])
            #expect(try replayAll(directory, after: 3).sequences == [4, 5])
            #expect(try Journal.open(directory: directory, fsync: .none).nextSequence == 6)
        }
    }

    @Test func removeSegmentsDeletesOnlyThoseTheSnapshotFullyCovers() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            for index in 1...3 { try journal.append(payload(index)) }
            try journal.rotate()
            for index in 4...6 { try journal.append(payload(index)) }
            try journal.rotate()
            try journal.append(payload(7))
            try journal.commit()

            #expect(try journal.removeSegments(coveredBy: 2) == 0)
            #expect(try journal.removeSegments(coveredBy: 5) == 1)
            #expect(try fileNames(directory) == ["journal-0000000000000004.log", "journal-0000000000000007.log"])
            #expect(try replayAll(directory, after: 5).sequences == [6, 7])
            #expect(try journal.removeSegments(coveredBy: 1_000) == 1)
            #expect(try fileNames(directory) == ["journal-0000000000000007.log"])
            try journal.append(payload(8))
            try journal.close()
            #expect(try replayAll(directory).sequences == [7, 8])
        }
    }

    /// Segments a snapshot covers are skipped unread, so damage in them cannot stop a restart.
    @Test func replaySkipsSegmentsTheSnapshotCoversWithoutReadingThem() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            for index in 1...3 { try journal.append(payload(index)) }
            try journal.rotate()
            try journal.append(payload(4))
            try journal.close()
            try writeFileBytes(segmentPath(directory, first: 1), Array("garbage".utf8))
            #expect(try replayAll(directory, after: 3).sequences == [4])
            #expect(throws: DurabilityError.self) { _ = try replayAll(directory, after: 2) }
        }
    }

    @Test func onlyExactSegmentNamesCount() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1)])
            for stray in ["journal-0000000000000002.log.bak", "journal-000000000000000A.log", "journal-2.log", "notes.txt"] {
                try writeFileBytes(directory + "/" + stray, Array("not a segment".utf8))
            }
            #expect(try replayAll(directory).sequences == [1])
            #expect(SequencedFileName.journalSegment.sequence(in: "journal-00000000000000ff.log") == 255)
            #expect(SequencedFileName.journalSegment.sequence(in: "journal-00000000000000FF.log") == nil)
        }
    }

    @Test func rewriteRemovesRejectedRecordsAndKeepsSequenceNumbers() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            let forgotten: [UInt8] = Array("customer-13".utf8)
            for index in 1...9 {
                try journal.append(index % 3 == 0 ? forgotten : payload(index))
                if index == 4 { try journal.rotate() }
            }
            try journal.close()
            let untouched = try fileBytes(segmentPath(directory, first: 5))

            let summary = try Journal.rewrite(directory: directory) { $0.elementsEqual(forgotten) == false }
            #expect(summary == RewriteSummary(recordsKept: 6, recordsRemoved: 3, segmentsRewritten: 2, tornTail: nil))
            let replayed = try replayAll(directory)
            #expect(replayed.sequences == [1, 2, 4, 5, 7, 8])
            #expect(replayed.records.map(\.payload) == [1, 2, 4, 5, 7, 8].map { payload($0) })
            #expect(try fileNames(directory) == ["journal-0000000000000001.log", "journal-0000000000000005.log"])
            #expect(try fileBytes(segmentPath(directory, first: 5)) != untouched)

            let again = try Journal.rewrite(directory: directory) { $0.elementsEqual(forgotten) == false }
            #expect(again.segmentsRewritten == 0 && again.recordsRemoved == 0)
        }
    }

    @Test func rewriteOnAnOpenJournalKeepsAppendingToTheRewrittenSegment() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .always)
            for index in 1...4 { try journal.append(payload(index)) }
            let summary = try journal.rewrite { !$0.elementsEqual(payload(2)) }
            #expect(summary.recordsRemoved == 1)
            #expect(try journal.append(payload(5)) == 5)
            try journal.close()
            #expect(try replayAll(directory).sequences == [1, 3, 4, 5])
        }
    }

    @Test func rewriteDropsATornTailAndRefusesDamageElsewhere() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1), payload(2)])
            let path = segmentPath(directory, first: 1)
            try truncateFile(path, to: try fileSize(path) - 3)
            let summary = try Journal.rewrite(directory: directory) { _ in true }
            #expect(summary.tornTail?.offset == recordOffset(1, payloadSizes: [20, 20]))
            #expect(summary.segmentsRewritten == 1 && summary.recordsKept == 1)
            #expect(try replayAll(directory).summary.tornTail == nil)

        }
    }

    @Test func rewriteRefusesDamageFollowedByIntactRecordsAndReplacesNothing() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1), payload(2), payload(3)])
            let path = segmentPath(directory, first: 1)
            try flipByte(path, at: JournalFormat.fileHeaderSize + JournalFormat.recordHeaderSize)
            let damaged = try fileBytes(path)
            #expect(throws: DurabilityError.self) { _ = try Journal.rewrite(directory: directory) { _ in false } }
            #expect(try fileBytes(path) == damaged)
        }
    }

    /// A rewrite that crashed before its rename leaves a `.tmp`: replay ignores it, open and rewrite remove it.
    @Test func leftoverTemporarySegmentIsIgnoredAndCleaned() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1)])
            let leftover = segmentPath(directory, first: 1) + ".tmp"
            try writeFileBytes(leftover, Array("half a rewrite".utf8))
            #expect(try replayAll(directory).sequences == [1])
            let journal = try Journal.open(directory: directory, fsync: .none)
            #expect(try fileNames(directory) == ["journal-0000000000000001.log"])
            try journal.close()
        }
    }
}
