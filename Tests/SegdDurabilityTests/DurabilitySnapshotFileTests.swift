import Glibc
import Testing
@testable import SegdDurability

@Suite struct SnapshotFileTests {
    static func engineState(_ seed: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write("segd engine v1")
        writer.write(array: (0..<1_000).map { UInt64($0) &* seed })
        writer.write(array: (0..<1_000).map { Double($0) / Double(seed) })
        return writer.bytes
    }

    func snapshotPath(_ directory: String, _ sequence: UInt64) -> String {
        directory + "/" + SequencedFileName.snapshot.name(for: sequence)
    }

    @Test func writtenSnapshotLoadsBackVerified() throws {
        try withTemporaryDirectory { directory in
            let state = Self.engineState(3)
            let path = try SnapshotFile.write(state, journalSequence: 1234, in: directory, createdAtMilliseconds: 1_790_000_000_000)
            #expect(path == directory + "/snapshot-00000000000004d2.snap")
            #expect(try fileNames(directory) == ["snapshot-00000000000004d2.snap"])
            #expect(try fileSize(path) == SnapshotHeader.size + state.count)

            let search = try SnapshotFile.latestValid(in: directory)
            let snapshot = try #require(search.newestValid)
            #expect(search.rejected.isEmpty)
            #expect(snapshot.path == path && snapshot.payload == state)
            #expect(snapshot.header.journalSequence == 1234)
            #expect(snapshot.header.createdAtMilliseconds == 1_790_000_000_000)
            #expect(snapshot.header.formatVersion == SnapshotHeader.currentVersion)

            var reader = BinaryReader(snapshot.payload, path: snapshot.path, baseOffset: SnapshotHeader.size)
            #expect(try reader.readString() == "segd engine v1")
            #expect(try reader.readArray(of: UInt64.self).count == 1_000)
        }
    }

    @Test func readHeaderReportsTheFieldsWithoutThePayload() throws {
        try withTemporaryDirectory { directory in
            let state = Self.engineState(5)
            let path = try SnapshotFile.write(state, journalSequence: 9, in: directory, createdAtMilliseconds: 77)
            let header = try SnapshotFile.readHeader(path: path)
            #expect(header.journalSequence == 9 && header.createdAtMilliseconds == 77)
            #expect(header.payloadLength == UInt64(state.count))
            #expect(header.payloadChecksum == CRC32C.checksum(state))
            #expect(Array(try fileBytes(path).prefix(12)) == Array("SEGDSNAP".utf8) + [1, 0, 0, 0])
        }
    }

    @Test func corruptNewestFallsBackToThePreviousAndSaysWhy() throws {
        try withTemporaryDirectory { directory in
            try SnapshotFile.write(Self.engineState(1), journalSequence: 100, in: directory)
            let newest = try SnapshotFile.write(Self.engineState(2), journalSequence: 200, in: directory)
            try flipByte(newest, at: SnapshotHeader.size + 500)

            let search = try SnapshotFile.latestValid(in: directory)
            #expect(search.newestValid?.header.journalSequence == 100)
            #expect(search.newestValid?.payload == Self.engineState(1))
            let rejection = try #require(search.rejected.first)
            #expect(search.rejected.count == 1 && rejection.path == newest)
            guard case .checksumMismatch(region: "payload", _, _) = rejection.error.problem else {
                Issue.record("\(rejection)")
                return
            }
            #expect(rejection.description.hasPrefix("\(newest) at offset 44: payload checksum mismatch"))
        }
    }

    @Test func damagedHeaderIsCaughtByItsOwnChecksum() throws {
        try withTemporaryDirectory { directory in
            try SnapshotFile.write(Self.engineState(1), journalSequence: 1, in: directory)
            let newest = try SnapshotFile.write(Self.engineState(2), journalSequence: 2, in: directory)
            try flipByte(newest, at: 13)
            let search = try SnapshotFile.latestValid(in: directory)
            #expect(search.newestValid?.header.journalSequence == 1)
            guard case .checksumMismatch(region: "header", _, _) = search.rejected.first?.error.problem else {
                Issue.record("\(search.rejected)")
                return
            }
            #expect(throws: DurabilityError.self) { _ = try SnapshotFile.readHeader(path: newest) }
        }
    }

    @Test func truncatedSnapshotIsRejectedAtEveryLength() throws {
        try withTemporaryDirectory { directory in
            try SnapshotFile.write(Self.engineState(1), journalSequence: 1, in: directory)
            let newest = try SnapshotFile.write(Self.engineState(2), journalSequence: 2, in: directory)
            let full = try fileBytes(newest)
            for length in [0, 1, 43, 44, 45, full.count / 2, full.count - 1] {
                try writeFileBytes(newest, Array(full.prefix(length)))
                let search = try SnapshotFile.latestValid(in: directory)
                #expect(search.newestValid?.header.journalSequence == 1, "length \(length)")
                guard case .truncated = search.rejected.first?.error.problem else {
                    Issue.record("length \(length): \(search.rejected)")
                    continue
                }
            }
            try writeFileBytes(newest, full + [0])
            #expect(try SnapshotFile.latestValid(in: directory).rejected.first?.error.problem
                == .sizeMismatch(expected: UInt64(full.count), actual: UInt64(full.count + 1)))
        }
    }

    @Test func aRenamedSnapshotIsRejected() throws {
        try withTemporaryDirectory { directory in
            let written = try SnapshotFile.write(Self.engineState(1), journalSequence: 5, in: directory)
            let renamed = snapshotPath(directory, 6)
            try writeFileBytes(renamed, try fileBytes(written))
            let search = try SnapshotFile.latestValid(in: directory)
            #expect(search.newestValid?.path == written)
            #expect(search.rejected.first?.error == DurabilityError(.nameMismatch(nameSequence: 6, headerSequence: 5), path: renamed))
        }
    }

    @Test func onlyTheNewestRetainCountSnapshotsAreKept() throws {
        try withTemporaryDirectory { directory in
            for sequence: UInt64 in 1...4 { try SnapshotFile.write(Self.engineState(sequence), journalSequence: sequence, in: directory) }
            #expect(try fileNames(directory) == [3, 4].map { SequencedFileName.snapshot.name(for: $0) })
            try SnapshotFile.write(Self.engineState(9), journalSequence: 9, in: directory, retain: 1)
            #expect(try fileNames(directory) == [SequencedFileName.snapshot.name(for: 9)])
            for sequence: UInt64 in 10...12 {
                try SnapshotFile.write(Self.engineState(sequence), journalSequence: sequence, in: directory, retain: 3)
            }
            #expect(try fileNames(directory) == [10, 11, 12].map { SequencedFileName.snapshot.name(for: $0) })
        }
    }

    /// A crash between writing the temporary file and renaming it leaves a `.tmp`: readers ignore it (even
    /// when it would be the newest) and the next write removes it.
    @Test func leftoverTemporaryFileIsIgnoredAndCleanedByTheNextWrite() throws {
        try withTemporaryDirectory { directory in
            try SnapshotFile.write(Self.engineState(1), journalSequence: 10, in: directory)
            let leftover = snapshotPath(directory, 20) + ".tmp"
            try writeFileBytes(leftover, Array(try fileBytes(snapshotPath(directory, 10)).prefix(100)))

            let search = try SnapshotFile.latestValid(in: directory)
            #expect(search.newestValid?.header.journalSequence == 10 && search.rejected.isEmpty)

            try SnapshotFile.write(Self.engineState(3), journalSequence: 30, in: directory)
            #expect(try fileNames(directory) == [10, 30].map { SequencedFileName.snapshot.name(for: $0) })
        }
    }

    @Test func systemErrorsNameTheCallAndTheFile() throws {
        try withTemporaryDirectory { directory in
            let missing = directory + "/snapshot-0000000000000001.snap"
            let error = try #require(#expect(throws: DurabilityError.self) { _ = try SnapshotFile.readHeader(path: missing) })
            #expect(error == DurabilityError(.systemCall("open", errno: ENOENT), path: missing))
            #expect(error.description == "\(missing): open failed: No such file or directory (errno 2)")
        }
    }

    @Test func noSnapshotsMeansNothingToRestore() throws {
        try withTemporaryDirectory { directory in
            let search = try SnapshotFile.latestValid(in: directory + "/missing")
            #expect(search.newestValid == nil && search.rejected.isEmpty)
            try writeFileBytes(snapshotPath(directory, 1), [])
            let onlyBroken = try SnapshotFile.latestValid(in: directory)
            #expect(onlyBroken.newestValid == nil && onlyBroken.rejected.count == 1)
        }
    }
}
