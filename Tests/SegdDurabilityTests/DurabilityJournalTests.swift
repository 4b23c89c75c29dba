import Testing
@testable import SegdDurability

@Suite struct JournalTests {
    @Test func appendedRecordsReplayInOrderWithSequencesFromOne() throws {
        try withTemporaryDirectory { directory in
            let payloads = (0..<50).map { payload($0, size: $0) }
            let sequences = try writeJournal(directory, payloads)
            #expect(sequences == Array(1...50))

            let replayed = try replayAll(directory)
            #expect(replayed.sequences == Array(1...50))
            #expect(replayed.records.map(\.payload) == payloads)
            #expect(replayed.summary == ReplaySummary(recordsReplayed: 50, lastSequence: 50, tornTail: nil))
            #expect(try fileNames(directory) == ["journal-0000000000000001.log"])
        }
    }

    @Test func segmentBytesFollowTheDocumentedFraming() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [[0xAA, 0xBB]])
            let bytes = try fileBytes(segmentPath(directory, first: 1))
            var expected = Array("SEGDJRNL".utf8) + [1, 0, 0, 0]
            expected += [2, 0, 0, 0]
            let crc = CRC32C.checksum([0xAA, 0xBB], continuing: CRC32C.checksum([2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))
            expected += withUnsafeBytes(of: crc.littleEndian, Array.init)
            expected += [1, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB]
            #expect(bytes == expected)
        }
    }

    @Test func reopeningContinuesNumberingInTheSameSegment() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [payload(1), payload(2)])
            let journal = try Journal.open(directory: directory, fsync: .none)
            #expect(journal.nextSequence == 3)
            #expect(journal.recoveredTornTail == nil)
            #expect(try journal.append(payload(3)) == 3)
            try journal.close()
            #expect(try replayAll(directory).sequences == [1, 2, 3])
            #expect(try fileNames(directory).count == 1)
        }
    }

    @Test func uncommittedRecordsNeverReachTheFile() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            try journal.append(payload(1))
            try journal.commit()
            try journal.append(payload(2))
            #expect(try replayAll(directory).sequences == [1])
            try journal.close()
            #expect(try replayAll(directory).sequences == [1, 2])
        }
    }

    @Test func replayAfterASequenceSkipsWhatTheSnapshotCovers() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, (1...10).map { payload($0) })
            let replayed = try replayAll(directory, after: 7)
            #expect(replayed.sequences == [8, 9, 10])
            #expect(replayed.summary.recordsReplayed == 3)
            #expect(replayed.summary.lastSequence == 10)
            #expect(try replayAll(directory, after: 10).records.isEmpty)
        }
    }

    @Test func openCreatesTheDirectoryAndNumbersAfterTheSnapshot() throws {
        try withTemporaryDirectory { parent in
            let directory = parent + "/journal"
            let journal = try Journal.open(directory: directory, fsync: .none, continuingAfter: 41)
            #expect(try journal.append(payload(0)) == 42)
            try journal.close()
            #expect(try fileNames(directory) == ["journal-000000000000002a.log"])
            #expect(try Journal.open(directory: directory, fsync: .none, continuingAfter: 100).nextSequence == 101)
            #expect(try Journal.open(directory: directory, fsync: .none).nextSequence == 43)
        }
    }

    @Test func emptyPayloadsAreRecordsToo() throws {
        try withTemporaryDirectory { directory in
            try writeJournal(directory, [[], payload(2), []])
            #expect(try replayAll(directory).records.map(\.payload) == [[], payload(2), []])
        }
    }

    @Test func oversizedPayloadIsRefusedWithoutConsumingASequence() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            // Never read (the length is refused first), so its pages are never touched.
            let huge = UnsafeMutableRawBufferPointer.allocate(byteCount: JournalFormat.maximumPayloadLength + 1, alignment: 1)
            defer { huge.deallocate() }
            let error = try #require(#expect(throws: DurabilityError.self) { try journal.append(UnsafeRawBufferPointer(huge)) })
            guard case .lengthTooLarge = error.problem else { Issue.record("\(error)"); return }
            #expect(try journal.append(payload(1)) == 1)
            try journal.close()
        }
    }

    @Test func aBatchAppendFramesTheRecordsSingleAppendsWould() throws {
        try withTemporaryDirectory { single in
            try withTemporaryDirectory { batched in
                let payloads = [payload(1), [], payload(3, size: 300)] + (4...40).map { payload($0, size: $0) }
                _ = try writeJournal(single, [payload(0)] + payloads)
                let journal = try Journal.open(directory: batched, fsync: .none)
                try journal.append(payload(0))
                try appendAll(payloads, to: journal)
                #expect(journal.nextSequence == 42)
                try journal.commit()
                try journal.close()
                #expect(try fileBytes(segmentPath(batched, first: 1)) == fileBytes(segmentPath(single, first: 1)))
            }
        }
    }

    @Test func aBatchWithAPayloadTooLongFramesNone() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            let huge = UnsafeMutableRawBufferPointer.allocate(byteCount: JournalFormat.maximumPayloadLength + 1, alignment: 1)
            defer { huge.deallocate() }
            let error = try #require(#expect(throws: DurabilityError.self) {
                try journal.append(count: 3) { index in
                    index == 1 ? UnsafeRawBufferPointer(huge) : UnsafeRawBufferPointer(start: nil, count: 0)
                }
            })
            guard case .lengthTooLarge = error.problem else { Issue.record("\(error)"); return }
            #expect(try journal.append(payload(1)) == 1)
            try journal.commit()
            try journal.close()
            #expect(try replayAll(directory).records.map(\.payload) == [payload(1)])
        }
    }

    private func appendAll(_ payloads: [[UInt8]], to journal: Journal) throws {
        let lengths = payloads.map(\.count)
        let flat = payloads.flatMap { $0 }
        try flat.withUnsafeBytes { bytes in
            try journal.append(count: payloads.count) { index in
                let start = lengths[..<index].reduce(0, +)
                return UnsafeRawBufferPointer(rebasing: bytes[start..<start + lengths[index]])
            }
        }
    }

    @Test func countersAccountForEveryByteWritten() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .always)
            for index in 0..<10 { try journal.append(payload(index, size: 100)) }
            try journal.commit()
            try journal.commit()
            #expect(journal.counters.bytesAppended == UInt64(try fileSize(journal.currentSegmentPath)))
            // Creating the segment: file and directory; then one fdatasync for the one commit that wrote.
            #expect(journal.counters.fsyncCount == 3)
            #expect(journal.counters.fsyncNanoseconds > 0)
            try journal.close()
        }
    }

    @Test func missingDirectoryReplaysNothing() throws {
        try withTemporaryDirectory { parent in
            let replayed = try replayAll(parent + "/nothing-here")
            #expect(replayed.records.isEmpty && replayed.summary.tornTail == nil)
        }
    }

    @Test func aFileThatIsNotASegmentIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = segmentPath(directory, first: 1)
            try writeFileBytes(path, Array("SEGDSNAP".utf8) + [1, 0, 0, 0])
            let error = try #require(#expect(throws: DurabilityError.self) { _ = try replayAll(directory) })
            #expect(error == DurabilityError(.badMagic(expected: "journal segment"), path: path, offset: 0))
            #expect(throws: DurabilityError.self) { _ = try Journal.open(directory: directory, fsync: .none) }
        }
    }

    @Test func aNewerFormatVersionIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = segmentPath(directory, first: 1)
            try writeFileBytes(path, Array("SEGDJRNL".utf8) + [2, 0, 0, 0])
            #expect(throws: DurabilityError(.unsupportedVersion(found: 2, supported: 1), path: path, offset: 8)) {
                _ = try replayAll(directory)
            }
        }
    }
}
