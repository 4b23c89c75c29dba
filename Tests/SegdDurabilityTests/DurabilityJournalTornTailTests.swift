import Testing
@testable import SegdDurability

@Suite struct JournalTornTailTests {
    static let sizes = [30, 7, 25, 0, 18]

    /// Cut the last record at every length from "just begun" to "one byte short": each is a torn tail that replay
    /// reports without throwing and open cuts off, after which numbering resumes where the intact records end.
    @Test func tornLastRecordAtEveryLengthIsDroppedExactly() throws {
        let lastStart = recordOffset(Self.sizes.count - 1, payloadSizes: Self.sizes)
        let fullSize = lastStart + JournalFormat.recordHeaderSize + Self.sizes.last!
        for cut in lastStart + 1..<fullSize {
            try withTemporaryDirectory { directory in
                try writeJournal(directory, Self.sizes.enumerated().map { payload($0.offset, size: $0.element) })
                let path = segmentPath(directory, first: 1)
                try truncateFile(path, to: cut)

                let replayed = try replayAll(directory)
                #expect(replayed.sequences == [1, 2, 3, 4], "cut at \(cut)")
                let tail = try #require(replayed.summary.tornTail, "cut at \(cut)")
                #expect(tail.path == path && tail.offset == lastStart && tail.droppedBytes == cut - lastStart)
                #expect(try fileSize(path) == cut, "replay must not modify the file")

                let journal = try Journal.open(directory: directory, fsync: .none)
                #expect(journal.recoveredTornTail == tail)
                #expect(try fileSize(path) == lastStart)
                #expect(try journal.append(payload(99)) == 5)
                try journal.close()
                let repaired = try replayAll(directory)
                #expect(repaired.sequences == [1, 2, 3, 4, 5] && repaired.summary.tornTail == nil)
                #expect(repaired.records.last?.payload == payload(99))
            }
        }
    }

    @Test func cutExactlyAtARecordBoundaryIsNotATornTail() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, Self.sizes.enumerated().map { payload($0.offset, size: $0.element) })
            try truncateFile(segmentPath(directory, first: 1), to: recordOffset(3, payloadSizes: Self.sizes))
            let replayed = try replayAll(directory)
            #expect(replayed.sequences == [1, 2, 3] && replayed.summary.tornTail == nil)
        }
    }

    /// Damage anywhere in the last record — length, checksum, sequence number or payload — is still a torn tail:
    /// nothing intact follows it.
    @Test func anyFlippedByteInTheLastRecordIsATornTail() throws {
        let lastStart = recordOffset(Self.sizes.count - 1, payloadSizes: Self.sizes)
        let fullSize = lastStart + JournalFormat.recordHeaderSize + Self.sizes.last!
        for offset in lastStart..<fullSize {
            try withTemporaryDirectory { directory in
                try writeJournal(directory, Self.sizes.enumerated().map { payload($0.offset, size: $0.element) })
                try flipByte(segmentPath(directory, first: 1), at: offset)
                let replayed = try replayAll(directory)
                #expect(replayed.sequences == [1, 2, 3, 4], "flip at \(offset)")
                #expect(replayed.summary.tornTail?.offset == lastStart, "flip at \(offset)")
            }
        }
    }

    @Test func flippedPayloadByteInAnEarlierRecordIsAChecksumError() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, Self.sizes.enumerated().map { payload($0.offset, size: $0.element) })
            let path = segmentPath(directory, first: 1)
            let second = recordOffset(1, payloadSizes: Self.sizes)
            try flipByte(path, at: second + JournalFormat.recordHeaderSize + 3)

            var delivered: [UInt64] = []
            let error = try #require(#expect(throws: DurabilityError.self) {
                _ = try Journal.replay(directory: directory) { sequence, _ in delivered.append(sequence) }
            })
            #expect(delivered == [1])
            #expect(error.path == path && error.offset == second)
            guard case .checksumMismatch(region: "record", _, _) = error.problem else { Issue.record("\(error)"); return }
            #expect(error.description.contains("at offset \(second): record checksum mismatch"))
            #expect(throws: DurabilityError.self) { _ = try Journal.open(directory: directory, fsync: .none) }
        }
    }

    @Test func corruptionInAnEarlierSegmentIsAnErrorEvenAtItsEnd() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            try journal.append(payload(1))
            try journal.append(payload(2))
            try journal.rotate()
            try journal.append(payload(3))
            try journal.close()
            let first = segmentPath(directory, first: 1)
            try truncateFile(first, to: try fileSize(first) - 1)
            let error = try #require(#expect(throws: DurabilityError.self) { _ = try replayAll(directory) })
            #expect(error.path == first)
            #expect(error.offset == recordOffset(1, payloadSizes: [20, 20]))
        }
    }

    /// The file grew but the data never reached the disk: the tail reads as zeros.
    @Test func zeroFilledTailIsATornTail() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1), payload(2)])
            let path = segmentPath(directory, first: 1)
            let intact = try fileSize(path)
            try writeFileBytes(path, try fileBytes(path) + [UInt8](repeating: 0, count: 4096))
            let replayed = try replayAll(directory)
            #expect(replayed.sequences == [1, 2])
            #expect(replayed.summary.tornTail?.offset == intact && replayed.summary.tornTail?.droppedBytes == 4096)
        }
    }

    @Test func incompleteFileHeaderOfTheLastSegmentIsRepairedOnOpen() throws {
        for length in 0..<JournalFormat.fileHeaderSize {
            try withTemporaryDirectory { directory in
                let path = segmentPath(directory, first: 7)
                try writeFileBytes(path, Array(JournalFormat.fileHeader.prefix(length)))
                #expect(try replayAll(directory).summary.tornTail?.offset == 0)
                let journal = try Journal.open(directory: directory, fsync: .none)
                #expect(journal.recoveredTornTail?.droppedBytes == length)
                #expect(try journal.append(payload(7)) == 7)
                try journal.close()
                #expect(try replayAll(directory).sequences == [7])
            }
        }
    }

    @Test func aRecordWhoseSequenceGoesBackwardsIsDamageNotATornTail() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1), payload(2)])
            var bytes = try fileBytes(segmentPath(directory, first: 1))
            var record: [UInt8] = []
            payload(3).withUnsafeBytes { JournalFormat.appendRecord(sequence: 2, payload: $0, to: &record) }
            bytes += record
            try writeFileBytes(segmentPath(directory, first: 1), bytes)
            let error = try #require(#expect(throws: DurabilityError.self) { _ = try replayAll(directory) })
            #expect(error.problem == .sequenceNotIncreasing(previous: 2, found: 2))
        }
    }
}
