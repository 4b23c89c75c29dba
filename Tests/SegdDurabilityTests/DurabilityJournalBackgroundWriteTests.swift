import Foundation
import Glibc
import Testing
@testable import SegdDurability

/// `startWrite`: a batch written on the journal's writer thread while the caller goes on.
@Suite struct JournalBackgroundWriteTests {
    @Test func recordsAppendedDuringAWriteFollowItInOrder() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            var expected: [[UInt8]] = []
            var backgroundWrites = 0
            for batch in 0..<200 {
                // 1 to 7 records of about 6 KB: the larger batches go to the writer thread, the others wait for `commit`.
                for index in 0..<(batch % 7 + 1) {
                    let record = payload(batch * 10 + index, size: 6_000 + batch % 50)
                    try journal.append(record)
                    expected.append(record)
                }
                try journal.startWrite()
                if journal.writeInFlight { backgroundWrites += 1 }
                // What the loop journals between batches (a clock advance, a reload) lands after the batch.
                if batch % 3 == 0 {
                    let record = payload(-batch)
                    try journal.append(record)
                    expected.append(record)
                }
                if batch % 5 == 0 { try journal.commit() }
            }
            try journal.close()
            #expect((1..<200).contains(backgroundWrites), "both the writer thread and commit wrote batches")
            let replayed = try replayAll(directory)
            #expect(replayed.records.map(\.payload) == expected)
            #expect(replayed.sequences == Array(1...UInt64(expected.count)))
            let size = try fileSize(segmentPath(directory, first: 1))
            #expect(journal.counters.bytesAppended == UInt64(size))
        }
    }

    @Test func rotatingWaitsForTheWriteAndStartsTheNextSegmentAfterIt() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .interval(milliseconds: 1_000))
            let records = (1...3).map { payload($0, size: 20_000) }
            try journal.append(records[0])
            try journal.append(records[1])
            try journal.startWrite()
            #expect(journal.writeInFlight)
            try journal.rotate()
            try journal.append(records[2])
            try journal.startWrite()
            #expect(!journal.writeInFlight, "one record is below the background write's minimum")
            try journal.close()
            #expect(try fileNames(directory) == ["journal-0000000000000001.log", "journal-0000000000000003.log"])
            #expect(try replayAll(directory).records.map(\.payload) == records)
        }
    }

    @Test func aFailedWriteIsReportedByTheNextCommitAndStopsTheJournal() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            try journal.append(payload(1))
            try journal.commit()
            // Put a read-only descriptor of the segment in place of the journal's own: its writes now fail.
            let path = segmentPath(directory, first: 1)
            let descriptor = try #require(try Self.openDescriptor(of: path))
            let readOnly = open(path, O_RDONLY)
            #expect(readOnly >= 0)
            #expect(dup2(readOnly, descriptor) == descriptor)
            close(readOnly)
            try journal.append(payload(2, size: Journal.backgroundWriteBytes))
            try journal.startWrite()
            #expect(journal.writeInFlight)
            #expect(throws: DurabilityError.self) { try journal.commit() }
            // The cut back after the partial write failed too, so the journal refuses all further work.
            #expect(throws: DurabilityError.self) { try journal.append(payload(3)) }
            #expect(try replayAll(directory).records.map(\.payload) == [payload(1)])
        }
    }

    /// The number of this process's open descriptor for `path`.
    private static func openDescriptor(of path: String) throws -> CInt? {
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"), target == path {
                return CInt(entry)
            }
        }
        return nil
    }
}
