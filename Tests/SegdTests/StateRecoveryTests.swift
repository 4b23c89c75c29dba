import Foundation
import Logging
@testable import Segd
import SegdCore
@testable import SegdDurability
import Testing

/// Restart = newest valid snapshot + the journal after it, on real files in a temporary directory.
/// A "crash" is dropping the pipeline without closing it: what was committed is on disk, as after
/// `kill -9`. Equality is checked on the engine's whole encoded state, so nothing can differ unseen.
@Suite("State recovery")
struct StateRecoveryTests {
    static let segments = """
        [[segment]]
        name = "buyer"
        rule = "orders_7d >= 1"
        [[segment]]
        name = "browser"
        rule = "clicks_24h >= 3"
        """

    static func configuration(_ directory: TemporaryDirectory, segments: String = segments, engine: String = "") throws -> SegdConfiguration {
        try SegdConfiguration.parse("""
            [engine]
            windows = ["24h", "7d", "30d"]
            \(engine)
            [durability]
            directory = "\(directory.path("state"))"
            fsync = "none"
            \(segments)
            """, file: directory.path("segd.toml"))
    }

    static let logger = Logger(label: "segd-test")

    /// Feeds `count` generated events (one a minute from 2026-01-01), committing every 100.
    static func feed(_ journaled: JournaledPipeline, count: Int, from start: Int = 0) throws {
        var generator = EventGenerator(options: .init(seed: 7, customers: 300))
        let origin: Int64 = 1_767_225_600_000
        for index in 0..<(start + count) {
            let time = origin + Int64(index) * 60_000
            let (kind, json) = generator.next(at: time)
            guard index >= start else { continue }
            try journal(journaled, kind.topic, json, receivedAt: time)
            if index % 100 == 99 { try journaled.commit() }
            journaled.pipeline.engine.outbound.removeAll()
        }
        try journaled.commit()
    }

    /// Journals and applies the message `[topic, payload]` (`frames` as received) received at
    /// `receivedAt`.
    static func journal(
        _ journaled: JournaledPipeline, _ topic: String, _ payload: [UInt8], frames: Int = 2, receivedAt: Int64
    ) throws {
        var topic = topic
        try topic.withUTF8 { topicBytes in
            try payload.withUnsafeBytes { payload in
                _ = try journaled.change(.message(receivedAt: receivedAt, frames: frames, topic: UnsafeRawBufferPointer(topicBytes), payload: payload))
            }
        }
    }

    static func encoded(_ engine: SegmentEngine) -> [UInt8] {
        var writer = BinaryWriter()
        engine.encodeSnapshot(into: &writer)
        return writer.bytes
    }

    static func open(_ configuration: SegdConfiguration) throws -> JournaledPipeline {
        try JournaledPipeline(configuration: configuration, logger: logger, metrics: SegdMetrics(rejectReasons: []))
    }

    @Test("a crash after committed events restores the same state and outbound sequence from the journal")
    func journalReplay() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        var expected: [UInt8] = []
        var nextSeq: UInt64 = 0
        do {
            let journaled = try Self.open(configuration)
            try Self.feed(journaled, count: 1_500)
            expected = Self.encoded(journaled.engine)
            nextSeq = journaled.engine.nextSeq
            #expect(nextSeq > 100)
        }
        let recovered = try Self.open(configuration)
        #expect(recovered.engine.nextSeq == nextSeq)
        #expect(Self.encoded(recovered.engine) == expected)
        #expect(recovered.engine.outbound.isEmpty, "replayed alerts were published before the crash")
    }

    @Test("messages replayed a group at a time, among clock advances, refusals and one-frame messages, restore the same state")
    func groupedJournalReplay() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        var expected: [UInt8] = []
        var nextSeq: UInt64 = 0
        var rejected = 0
        do {
            let journaled = try Self.open(configuration)
            var generator = EventGenerator(options: .init(seed: 11, customers: 200))
            let origin: Int64 = 1_767_225_600_000
            func send(_ topic: String, _ payload: [UInt8], frames: Int = 2, receivedAt: Int64) throws {
                try Self.journal(journaled, topic, payload, frames: frames, receivedAt: receivedAt)
                journaled.pipeline.engine.outbound.removeAll()
            }
            // Turns of 1 to 40 messages stamped alike (the receiver's way), so groups are cut by
            // size, by a new receipt time and by the other entries between them.
            var time = origin
            for turn in 0..<120 {
                let receivedAt = time
                for _ in 0..<(1 + turn * 7 % 40) {
                    time += 20_000
                    let (kind, json) = generator.next(at: time)
                    try send(kind.topic, json, receivedAt: receivedAt)
                }
                switch turn % 6 {
                case 1: try send("orders", Array(#"{"event_id":"bad"#.utf8), receivedAt: receivedAt)
                case 2: try send("clicks", [], frames: 1, receivedAt: receivedAt)
                case 3:
                    time += 600_000
                    _ = try journaled.change(.clockAdvance(time))
                case 4: try send("clicks", Array(#"{"event_id":"e-1-1","customer_id":"c-1","ts":\#(time),"action":"view"}"#.utf8), receivedAt: receivedAt)
                default: break
                }
                try journaled.commit()
            }
            // An event 30 s beyond the allowed skew of its receipt time, refused as `future`, then a
            // turn received a minute later: with that receipt time the event would be accepted.
            let early = time + 20_000
            try send("clicks", Array(#"{"event_id":"ahead","customer_id":"c-1","ts":\#(early + 3_630_000),"action":"view"}"#.utf8), receivedAt: early)
            let (kind, json) = generator.next(at: time + 40_000)
            try send(kind.topic, json, receivedAt: early + 60_000)
            try journaled.commit()
            #expect(journaled.engine.statistics.rejectedByReason[.future] == 1)
            #expect(journaled.engine.statistics.accepted > 2_000, "most events must be applied, not refused")
            expected = Self.encoded(journaled.engine)
            nextSeq = journaled.engine.nextSeq
            rejected = journaled.engine.statistics.rejected
            #expect(rejected > 40 && rejected < 200, "the refusals were not made as planned")
        }
        let recovered = try Self.open(configuration)
        #expect(recovered.engine.nextSeq == nextSeq)
        #expect(recovered.engine.statistics.rejected == rejected)
        let sameState = Self.encoded(recovered.engine) == expected
        #expect(sameState, "the recovered engine's encoded state differs from the one before the crash")
        #expect(recovered.engine.outbound.isEmpty)
    }

    @Test("snapshot plus the journal after it equals an uninterrupted run, and continuing gives the same alerts")
    func snapshotThenJournal() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        let uninterrupted = try TemporaryDirectory()
        let reference = try Self.open(try Self.configuration(uninterrupted))
        try Self.feed(reference, count: 2_000)
        do {
            let journaled = try Self.open(configuration)
            try Self.feed(journaled, count: 800)
            try journaled.state!.snapshotNow(journaled.engine)
            try Self.feed(journaled, count: 400, from: 800)
        }
        let recovered = try Self.open(configuration)
        try Self.feed(recovered, count: 800, from: 1_200)
        #expect(Self.encoded(recovered.engine) == Self.encoded(reference.engine))
    }

    @Test("a torn last record is cut off and the state is that of the records before it")
    func tornTail() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        var expected: [UInt8] = []
        do {
            let journaled = try Self.open(configuration)
            try Self.feed(journaled, count: 300)
            expected = Self.encoded(journaled.engine)
        }
        let segment = try #require(try Journal.segmentStarts(in: directory.path("state")).last)
        let handle = try #require(FileHandle(forWritingAtPath: directory.path("state/" + SequencedFileName.journalSegment.name(for: segment))))
        handle.seekToEndOfFile()
        handle.write(Data([0x40, 0, 0, 0, 1, 2, 3]))  // a record header that promises 64 bytes and ends
        handle.closeFile()
        let recovered = try Self.open(configuration)
        #expect(Self.encoded(recovered.engine) == expected)
    }

    @Test("a damaged newest snapshot falls back to the one before, replaying the longer journal")
    func corruptSnapshotFallsBack() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        var expected: [UInt8] = []
        do {
            let journaled = try Self.open(configuration)
            try Self.feed(journaled, count: 500)
            try journaled.state!.snapshotNow(journaled.engine)
            try Self.feed(journaled, count: 500, from: 500)
            try journaled.state!.snapshotNow(journaled.engine)
            try Self.feed(journaled, count: 200, from: 1_000)
            expected = Self.encoded(journaled.engine)
        }
        let newest = try #require(try SnapshotFile.sequences(in: directory.path("state")).last)
        let path = directory.path("state/" + SequencedFileName.snapshot.name(for: newest))
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let recovered = try Self.open(configuration)
        #expect(Self.encoded(recovered.engine) == expected)
    }

    @Test("changed engine settings are refused, naming the keys; changed rules are applied as a reload")
    func changedConfiguration() throws {
        let directory = try TemporaryDirectory()
        do {
            let journaled = try Self.open(try Self.configuration(directory))
            try Self.feed(journaled, count: 300)
        }
        #expect {
            _ = try Self.open(try Self.configuration(directory, engine: #"allowed_lateness = "5s""#))
        } throws: { error in
            "\(error)".contains("engine.allowed_lateness") && "\(error)".contains("move")
        }
        let renamed = Self.segments.replacingOccurrences(of: "\"browser\"", with: "\"clicker\"")
        let recovered = try Self.open(try Self.configuration(directory, segments: renamed))
        #expect(recovered.engine.segments.map(\.name) == ["buyer", "clicker"])
        var causes: [String] = []
        recovered.engine.outbound.forEach { _, json in causes.append(String(decoding: json, as: UTF8.self)) }
        #expect(!causes.isEmpty && causes.allSatisfy { $0.contains(#""cause":"rules_changed""#) })
    }

    @Test("a changed dedup_max_ids is journaled at start-up, so a crash before the next snapshot recovers it too")
    func changedDedupCapacity() throws {
        let directory = try TemporaryDirectory()
        do {
            let journaled = try Self.open(try Self.configuration(directory))
            try Self.feed(journaled, count: 300)
            #expect(journaled.engine.dedupRemembered == 300)
        }
        let lowered = try Self.configuration(directory, engine: "dedup_max_ids = 100")
        let expected: [UInt8]
        do {
            let recovered = try Self.open(lowered)
            #expect(recovered.engine.configuration.dedupCapacity == 100)
            #expect(recovered.engine.dedupRemembered == 100)
            #expect(recovered.engine.dedupForgottenEarly == 200)
            try Self.feed(recovered, count: 50, from: 300)
            #expect(recovered.engine.dedupForgottenEarly == 250)
            expected = Self.encoded(recovered.engine)
        }
        // The crash above left the first run's snapshot and the journal after it, change included.
        let again = try Self.open(lowered)
        #expect(Self.encoded(again.engine) == expected)
    }

    @Test("a second daemon on the same state directory is refused while the first runs")
    func directoryLock() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        let first = try Self.open(configuration)
        #expect(throws: DurabilityError.self) { _ = try Self.open(configuration) }
        _ = first
    }

    @Test("with no valid snapshot and a journal that does not start at record 1, start-up is refused")
    func journalWithoutSnapshot() throws {
        let directory = try TemporaryDirectory()
        let configuration = try Self.configuration(directory)
        do {
            let journaled = try Self.open(configuration)
            try Self.feed(journaled, count: 200)
            try journaled.state!.snapshotNow(journaled.engine)
            try Self.feed(journaled, count: 200, from: 200)
            try journaled.state!.snapshotNow(journaled.engine)
            try Self.feed(journaled, count: 10, from: 400)
        }
        for sequence in try SnapshotFile.sequences(in: directory.path("state")) {
            try FileManager.default.removeItem(atPath: directory.path("state/" + SequencedFileName.snapshot.name(for: sequence)))
        }
        #expect {
            _ = try Self.open(configuration)
        } throws: { error in
            "\(error)".contains("no valid snapshot") && "\(error)".contains("cannot be rebuilt")
        }
    }
}
