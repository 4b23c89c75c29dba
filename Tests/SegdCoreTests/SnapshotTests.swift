import Foundation
import SegdCore
import SegdDurability
import Testing

/// The engine snapshot codec on real engines: a restored engine continues byte for byte like the
/// one it was taken from, and damaged payloads are refused with an error.
@Suite("Engine snapshots")
struct SnapshotTests {
    static let day: Int64 = 86_400_000
    static let start = EventTimeText.parse("2026-01-01T00:00:00Z")!

    /// Hour and day windows, free-standing segments and a family, rules on hours, history, RFM
    /// scores and p_alive, and churn with a configured model refitted every ten days.
    static func configuration() throws -> EngineConfiguration {
        var churn = ChurnSettings(model: ChurnEngineTests.model, refitIntervalMilliseconds: 10 * day, refitMinimumRepeatCustomers: 1)
        churn.horizons = [try WindowSpec(parsing: "30d"), try WindowSpec(parsing: "90d")]
        return EngineConfiguration(
            windows: try ["6h", "24h", "7d", "30d"].map { try WindowSpec(parsing: $0) },
            allowedLatenessMilliseconds: 3_600_000,
            dedupHorizonMilliseconds: day,
            // Below the 144 ids a day of the driver's events leaves in the horizon: some are forgotten early.
            dedupCapacity: 100,
            segments: [
                .init(name: "browsing_now", rule: "clicks_6h >= 3"),
                .init(name: "big_spender", description: "lifetime spend", rule: "spend_total > 500"),
                .init(name: "champion", rule: "r_score >= 4 and fm_score >= 4"),
                .init(name: "fading", rule: "p_alive < 0.4"),
                .init(name: "active", rule: "orders_30d >= 1", family: "lifecycle"),
                .init(name: "lapsing", rule: "orders_total >= 1 and days_since_last_order <= 60", family: "lifecycle"),
                .init(name: "gone", rule: "orders_total >= 1", family: "lifecycle"),
            ],
            churn: churn)
    }

    /// Feeds a pipeline generated events and clock advances, refitting when due, and keeps
    /// every outbound message. Two drivers with the same seed and position do the same.
    struct Driver {
        var generator = EventGenerator(options: .init(seed: 7, customers: 400))
        var time = SnapshotTests.start
        var step = 0

        mutating func run(_ pipeline: inout Pipeline, events: Int, published: inout [UInt8]) {
            for _ in 0..<events {
                step += 1
                time += generator.exponentialGap(mean: 600_000)
                let event = generator.next(at: time)
                send(&pipeline, topic: event.kind.topic, json: event.json)
                // Now and then a producer retry (a duplicate) and an event behind the clock (late).
                if step % 97 == 0 { send(&pipeline, topic: event.kind.topic, json: event.json) }
                if step % 131 == 0 {
                    let late = #"{"event_id":"late-\#(step)","customer_id":"c-1","ts":\#(time - 2 * SnapshotTests.day),"action":"view"}"#
                    send(&pipeline, topic: "clicks", json: Array(late.utf8))
                }
                if step % 250 == 0 { pipeline.engine.advanceClock(to: time + 3 * SnapshotTests.day) }
                _ = pipeline.engine.refitChurnModelIfDue()
                SnapshotTests.drain(&pipeline, into: &published)
            }
        }

        private func send(_ pipeline: inout Pipeline, topic: String, json: [UInt8]) {
            var topic = topic
            topic.withUTF8 { topicBytes in
                json.withUnsafeBytes { pipeline.ingest(topic: UnsafeRawBufferPointer(topicBytes), payload: $0, receivedAt: EngineHarness.receivedAt) }
            }
        }
    }

    /// Appends each outbound message as `topic<TAB>json<LF>` and empties the buffer.
    static func drain(_ pipeline: inout Pipeline, into published: inout [UInt8]) {
        pipeline.engine.outbound.forEach { topic, json in
            published.append(contentsOf: topic)
            published.append(0x09)
            published.append(contentsOf: json)
            published.append(0x0A)
        }
        pipeline.engine.outbound.removeAll()
    }

    static func snapshot(_ engine: SegmentEngine) -> [UInt8] {
        var writer = BinaryWriter()
        engine.encodeSnapshot(into: &writer)
        return writer.bytes
    }

    static func restore(_ bytes: [UInt8]) throws(DurabilityError) -> SegmentEngine {
        var reader = BinaryReader(bytes)
        let engine = try SegmentEngine(restoringSnapshot: &reader)
        try reader.expectEnd()
        return engine
    }

    /// A pipeline around an engine restored from `bytes`.
    static func restoredPipeline(_ bytes: [UInt8]) throws -> Pipeline {
        var pipeline = try Pipeline(configuration: EngineConfiguration(), maxPayloadBytes: 65_536)
        pipeline.engine = try restore(bytes)
        return pipeline
    }

    @Test("a restored engine publishes the same bytes and reaches the same state as the original, from every snapshot point")
    func restoredEngineContinuesIdentically() throws {
        var original = try Pipeline(configuration: Self.configuration(), maxPayloadBytes: 65_536)
        var driver = Driver()
        // Everything published, by the original and by the continuations compared below.
        var published: [UInt8] = []
        for (point, (events, reload)) in [(0, false), (300, false), (700, true), (900, false), (600, false)].enumerated() {
            driver.run(&original, events: events, published: &published)
            if reload {
                var segments = original.engine.configuration.segments
                segments.removeFirst()
                segments.append(.init(name: "reviewer", rule: "reviews_total >= 1"))
                try original.engine.reload(segments: segments)
                Self.drain(&original, into: &published)
            }
            let bytes = Self.snapshot(original.engine)
            var restored = try Self.restoredPipeline(bytes)
            #expect(Self.snapshot(restored.engine) == bytes, "decode then encode gives the same bytes")
            #expect(restored.engine.configuration == original.engine.configuration)
            #expect(restored.engine.statistics == original.engine.statistics)

            // Both go on with the same events, clock advances and refits.
            // What the snapshot thread encodes: the same bytes, though it leaves out what decoding
            // rebuilds, and unchanged by the original's writes while it is held.
            let heldForSnapshot = original.engine.copyForSnapshot()
            #expect(Self.snapshot(heldForSnapshot) == bytes, "a copy for a snapshot encodes the same bytes")
            var originalDriver = driver
            var restoredDriver = driver
            var originalAfter: [UInt8] = []
            var restoredAfter: [UInt8] = []
            var originalCopy = original
            originalDriver.run(&originalCopy, events: 400, published: &originalAfter)
            restoredDriver.run(&restored, events: 400, published: &restoredAfter)
            originalCopy.engine.advanceClock(to: originalDriver.time + 120 * Self.day)
            restored.engine.advanceClock(to: restoredDriver.time + 120 * Self.day)
            Self.drain(&originalCopy, into: &originalAfter)
            Self.drain(&restored, into: &restoredAfter)
            #expect(!originalAfter.isEmpty)
            #expect(restoredAfter == originalAfter, "snapshot \(point): the restored engine published different messages")
            #expect(Self.snapshot(restored.engine) == Self.snapshot(originalCopy.engine))
            #expect(Self.snapshot(heldForSnapshot) == bytes, "the copy for a snapshot does not change as the engine goes on")
            published += originalAfter
        }
        let summary = String(decoding: published, as: UTF8.self)
        for topic in ["segment.fading.enter", "segment.lapsing.enter", "churn.risk", "deadletter", "segment.champion.enter"] {
            #expect(summary.contains(topic + "\t"), "the run exercises \(topic)")
        }
        #expect(original.engine.statistics.churnRefits > 0)
        #expect(original.engine.statistics.rejectedByReason[.duplicate, default: 0] > 0)
        #expect(original.engine.statistics.rejectedByReason[.late, default: 0] > 0)
        #expect(original.engine.dedupForgottenEarly > 0)
    }

    @Test("every truncation of a snapshot payload is refused with an error")
    func truncationsThrow() throws {
        var harness = try EngineHarness(windows: ["6h", "7d"], definitions: [.init(name: "buyer", rule: "orders_total >= 1")])
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.click("c2", at: "2026-01-01T11:00:00Z")
        let bytes = Self.snapshot(harness.pipeline.engine)
        for length in 0..<bytes.count {
            #expect(throws: DurabilityError.self, "truncated to \(length) bytes") { try Self.restore(Array(bytes[..<length])) }
        }
        #expect(try Self.snapshot(Self.restore(bytes)) == bytes)
    }

    @Test("a damaged payload is refused, or restores an engine that runs on without trapping")
    func damagedPayloadsNeverTrap() throws {
        var original = try Pipeline(configuration: Self.configuration(), maxPayloadBytes: 65_536)
        var driver = Driver()
        var published: [UInt8] = []
        driver.run(&original, events: 300, published: &published)
        let bytes = Self.snapshot(original.engine)
        var random = SeededRandom(seed: 3)
        for _ in 0..<100 {
            var damaged = bytes
            for _ in 0...random.next() % 3 {
                let at = Int(random.next() % UInt64(damaged.count))
                damaged[at] = [damaged[at] ^ UInt8(1 << (random.next() % 8)), 0xFF, 0x80][Int(random.next() % 3)]
            }
            guard let engine = try? Self.restore(damaged) else { continue }
            var pipeline = try Pipeline(configuration: EngineConfiguration(), maxPayloadBytes: 65_536)
            pipeline.engine = engine
            var continuation = driver
            continuation.run(&pipeline, events: 50, published: &published)
            pipeline.engine.advanceClock(to: continuation.time + 400 * Self.day)
            var writer = JSONWriter()
            for customer in 0..<Int32(pipeline.engine.store.count) { ProfileExport.encode(customer, of: pipeline.engine, into: &writer) }
            _ = Self.snapshot(pipeline.engine)
        }
    }

    @Test("a snapshot of another format version or kind is refused and says so")
    func versionAndMagicAreChecked() throws {
        let harness = try EngineHarness(segments: [("buyer", "orders_total >= 1")])
        var bytes = Self.snapshot(harness.pipeline.engine)
        bytes[8] = 3
        let error = try #require(throws: DurabilityError.self) { try Self.restore(bytes) }
        #expect(error.problem == .unsupportedVersion(found: 3, supported: 2))
        #expect(error.offset == 8)
        bytes[8] = 2
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: DurabilityError(.badMagic(expected: "engine snapshot"), path: "(in memory)", offset: 0)) { try Self.restore(bytes) }
    }

    @Test("a format 1 snapshot, written before the dedup capacity, still loads: default capacity, none forgotten early")
    func formatOneStillLoads() throws {
        // Written by segd at 0ac3df5 (format 1): one segment `buyer`, dedup_horizon 2h, an order
        // and two clicks from two customers.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/engine-format-1.snap").path
        let file = try SnapshotFile.load(path: path)
        #expect(file.header.formatVersion == 1)
        var reader = BinaryReader(file.payload, path: path, baseOffset: SnapshotHeader.size)
        let engine = try SegmentEngine(restoringSnapshot: &reader)
        try reader.expectEnd()
        #expect(engine.configuration.dedupHorizonMilliseconds == 2 * 3_600_000)
        #expect(engine.configuration.dedupCapacity == EngineConfiguration.defaultDedupCapacity)
        #expect(engine.dedupRemembered == 3)
        #expect(engine.dedupForgottenEarly == 0)
        #expect(engine.store.count == 2)
        #expect(engine.statistics.membersBySegment == [1])
        let bytes = Self.snapshot(engine)
        #expect(bytes[8] == 2, "written again in the current format")
        #expect(Self.snapshot(try Self.restore(bytes)) == bytes)
    }

    @Test("configurations, segment lists and churn models round-trip through their own encodings")
    func configurationRoundTrip() throws {
        let configuration = try Self.configuration()
        var writer = BinaryWriter()
        configuration.encode(into: &writer)
        EngineConfiguration.Segment.encode(configuration.segments, into: &writer)
        ChurnEngineTests.model.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(try EngineConfiguration(decoding: &reader) == configuration)
        #expect(try EngineConfiguration.Segment.decodeList(&reader) == configuration.segments)
        #expect(try ChurnModel(decoding: &reader) == ChurnEngineTests.model)
        try reader.expectEnd()
        var changed = configuration
        changed.churn?.threshold = 0.3
        #expect(changed != configuration)
    }

    @Test("values the engine cannot hold are refused, not trapped on later")
    func impossibleValuesAreRefused() throws {
        // A lateness beyond what day buckets can hold would trap building the store.
        var writer = BinaryWriter()
        EngineConfiguration(allowedLatenessMilliseconds: 5_000 * Self.day).encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(throws: DurabilityError.self) { try EngineConfiguration(decoding: &reader) }
        // Rules that do not compile in this build.
        var engine = try SegmentEngine(configuration: EngineConfiguration(segments: [.init(name: "x", rule: "orders_total >= 1")]))
        engine.advanceClock(to: Self.start)
        var bytes = Self.snapshot(engine)
        let rule = Array("orders_total".utf8)
        let at = try #require(bytes.firstRange(of: rule)).lowerBound
        bytes.replaceSubrange(at..<at + rule.count, with: Array("oders_totall".utf8))
        let error = try #require(throws: DurabilityError.self) { try Self.restore(bytes) }
        #expect(error.description.contains("do not compile"))
    }
}
