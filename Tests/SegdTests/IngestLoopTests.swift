import Foundation
import Logging
import Segd
import Testing
import ZeroMQ

@Suite("Live ingest loop", .serialized)
struct IngestLoopTests {
    static let segments = """
        [[segment]]
        name = "buyer"
        rule = "orders_7d >= 1"
        """

    @Test("an event pushed in comes out as a segment alert on the PUB socket")
    func eventToAlert() async throws {
        let daemon = try await LiveDaemon(segments: Self.segments)
        try daemon.send("orders", #"{"event_id":"o-1","customer_id":"c-1","ts":"2026-01-05T10:00:00Z","amount":1999,"currency":"USD"}"#)
        let alert = try #require(try daemon.receive())
        #expect(alert.topic == "segment.buyer.enter")
        #expect(alert.object["customer_id"] as? String == "c-1")
        #expect(alert.object["event_id"] as? String == "o-1")
        let summary = try await daemon.stop()
        #expect(summary.contains(#""accepted":1"#))
    }

    @Test("every kind of bad input is dead-lettered with its reason, and the daemon keeps serving")
    func badInputIsDeadLettered() async throws {
        let daemon = try await LiveDaemon(segments: Self.segments, ingest: "max_message_bytes = 1024")
        let valid = #"{"event_id":"o-1","customer_id":"c-1","ts":1767607200000,"amount":100,"currency":"USD"}"#
        let cases: [(frames: [[UInt8]], reason: String)] = [
            ([Array("orders".utf8), Array(valid.utf8), Array("extra".utf8)], "frame_count"),
            ([Array("orders".utf8)], "frame_count"),
            ([Array("refunds".utf8), Array(valid.utf8)], "unknown_topic"),
            ([Array("orders".utf8), Array(repeating: 0x20, count: 2_000)], "oversized"),
            ([Array("orders".utf8), [0x7B, 0xFF, 0xFE, 0x7D]], "invalid_utf8"),
            ([Array("orders".utf8), Array(#"{"event_id":"#.utf8)], "malformed_json"),
            ([Array("orders".utf8), Array(#"{"event_id":"o-2","customer_id":"c-1","ts":1}"#.utf8)], "missing_field"),
            ([Array("reviews".utf8), Array(#"{"event_id":"r","customer_id":"c","ts":1,"rating":9}"#.utf8)], "invalid_field"),
            ([Array("clicks".utf8), Array(#"{"event_id":"k","customer_id":"c","ts":1,"action":"view","x":1}"#.utf8)], "unknown_field"),
            ([Array("orders".utf8), Array(#"{"event_id":"o","customer_id":"c","ts":1,"amount":1,"currency":"EUR"}"#.utf8)], "currency"),
        ]
        for (frames, reason) in cases {
            try daemon.send(frames)
            let letter = try #require(try daemon.receive(), "no dead letter for \(reason)")
            #expect(letter.topic == "deadletter")
            #expect(letter.object["reason"] as? String == reason)
            #expect(letter.object["frames"] as? Int == frames.count)
        }
        try daemon.send("orders", valid)
        let alert = try #require(try daemon.receive())
        #expect(alert.topic == "segment.buyer.enter")
        let summary = try await daemon.stop()
        #expect(summary.contains(#""frame_count":2"#))
        #expect(summary.contains(#""accepted":1"#))
    }

    @Test("a dead letter echoes non-UTF-8 payloads as base64 and truncates long ones at a character boundary")
    func deadLetterPayloads() async throws {
        let daemon = try await LiveDaemon(segments: Self.segments, ingest: "max_message_bytes = 65536")
        try daemon.send([Array("orders".utf8), [0x7B, 0xC3, 0x28, 0x7D]])
        let binary = try #require(try daemon.receive())
        #expect(binary.object["payload_encoding"] as? String == "base64")
        #expect(binary.object["payload"] as? String == "e8MofQ==")
        let long = "{\"note\":\"" + String(repeating: "é", count: 5_000) + "\"}"
        try daemon.send("orders", long)
        let truncated = try #require(try daemon.receive())
        #expect(truncated.object["truncated"] as? Bool == true)
        #expect(truncated.object["payload_bytes"] as? Int == long.utf8.count)
        let echoed = try #require(truncated.object["payload"] as? String)
        #expect(echoed.utf8.count <= 4_096)
        #expect(long.hasPrefix(echoed))
        _ = try await daemon.stop()
    }

    @Test("stopping drains what was already received before the loop returns")
    func stopDrains() async throws {
        let daemon = try await LiveDaemon(segments: Self.segments)
        for index in 0..<500 {
            try daemon.send("clicks", #"{"event_id":"k-\#(index)","customer_id":"c-\#(index % 7)","ts":1767607200000,"action":"view"}"#)
        }
        // The PUSH socket delivers in order: once the last event's effect is seen, all were received.
        try daemon.send("orders", #"{"event_id":"o-last","customer_id":"c-last","ts":1767607200000,"amount":1,"currency":"USD"}"#)
        let alert = try #require(try daemon.receive())
        #expect(alert.object["customer_id"] as? String == "c-last")
        let summary = try await daemon.stop()
        let events = try #require((try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])?["events"] as? [String: Any])
        #expect(events["accepted"] as? Int == 501)
        // Everything received was processed: the accepted events plus the handshake's dead letters.
        #expect(daemon.loop.processed == 501 + (events["rejected"] as? Int ?? 0))
    }

    @Test("messages keep their order through the receiver thread's few, recycled batches")
    func orderThroughHandoff() async throws {
        // Batches of at most 3 messages: 300 orders make the handoff's batches go round many times.
        let daemon = try await LiveDaemon(segments: Self.segments, ingest: "batch_size = 3")
        let count = 300
        for index in 0..<count {
            try daemon.send("orders", #"{"event_id":"o-\#(index)","customer_id":"c-\#(index)","ts":1767607200000,"amount":1,"currency":"USD"}"#)
        }
        var customers: [String] = []
        var seqs: [Int] = []
        while customers.count < count, let alert = try daemon.receive() {
            customers.append(alert.object["customer_id"] as? String ?? "?")
            seqs.append(alert.object["seq"] as? Int ?? -1)
        }
        #expect(customers == (0..<count).map { "c-\($0)" })
        #expect(seqs == Array(seqs[0]..<seqs[0] + count))
        _ = try await daemon.stop()
        #expect(daemon.loop.processed >= count)
    }

    @Test("the loop and receiver threads carry their names in the kernel, for top -H and perf")
    func threadNames() async throws {
        let daemon = try await LiveDaemon(segments: Self.segments)
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let names = Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .newlines) })
        #expect(names.isSuperset(of: ["segd-ingest", "segd-receive"]), "thread names: \(names.sorted())")
        _ = try await daemon.stop()
    }

    @Test("an inbound endpoint that cannot be bound fails the start with libzmq's reason")
    func inboundBindFailure() throws {
        let context = try ZMQContext(defaultLinger: 0)
        let holder = try context.makeSocket(.pull)
        let taken = try holder.bind("tcp://127.0.0.1:*")
        defer { holder.close(); context.terminate() }
        let directory = try TemporaryDirectory()
        let text = """
            [ingest]
            pull_bind = ["\(taken)"]
            [publish]
            bind = ["ipc://\(directory.path("pub"))"]
            [durability]
            directory = "\(directory.path("state"))"
            \(Self.segments)
            """
        let loop = try IngestLoop(configuration: try SegdConfiguration.parse(text, file: "second.toml"), logger: Logger(label: "segd-test"))
        let error = try #require(throws: ZMQError.self) { _ = try loop.run { _ in Issue.record("the daemon must not become ready") } }
        #expect(error.errnoCode == EADDRINUSE)
    }
}
