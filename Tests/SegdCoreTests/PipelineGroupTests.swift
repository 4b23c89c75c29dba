import SegdCore
import Testing

@Suite("Pipeline groups")
struct PipelineGroupTests {
    /// Generated events from 300 customers with every kind of refusal mixed in: repeats of an
    /// event 5 and 400 messages back (the dedup set keeps 200 ids, so the second are accepted
    /// again), malformed JSON, an unknown topic, one-frame messages, an order in another currency,
    /// and events behind the clock (two hours, where an hour is allowed) or a day in the future.
    private static func messages() -> [(topic: [UInt8], payload: [UInt8], frames: Int)] {
        var generator = EventGenerator(options: .init(seed: 7, customers: 300))
        var messages: [(topic: [UInt8], payload: [UInt8], frames: Int)] = []
        let start: Int64 = 1_767_225_600_000
        for number in 0..<3_000 {
            let time = start + Int64(number) * 10
            let (kind, json) = generator.next(at: time)
            messages.append((Array(kind.topic.utf8), json, 2))
            switch number % 50 {
            case 3 where messages.count > 6: messages.append(messages[messages.count - 6])
            case 11 where messages.count > 401: messages.append(messages[messages.count - 401])
            case 17: messages.append((Array("orders".utf8), Array(#"{"event_id":"m-\#(number)","#.utf8), 2))
            case 23: messages.append((Array("refunds".utf8), Array(#"{"event_id":"u-\#(number)"}"#.utf8), 2))
            case 29: messages.append((Array("clicks".utf8), [], 1))
            case 31:
                let order = #"{"event_id":"x-\#(number)","customer_id":"c-1","ts":\#(time),"amount":100,"currency":"EUR"}"#
                messages.append((Array("orders".utf8), Array(order.utf8), 2))
            case 37:
                let late = #"{"event_id":"l-\#(number)","customer_id":"c-2","ts":\#(time - 7_200_000),"action":"view"}"#
                messages.append((Array("clicks".utf8), Array(late.utf8), 2))
            case 41:
                let future = #"{"event_id":"f-\#(number)","customer_id":"c-3","ts":\#(time + 86_400_000),"action":"view"}"#
                messages.append((Array("clicks".utf8), Array(future.utf8), 2))
            default: break
            }
        }
        return messages
    }

    /// The snapshot tests' segments, windows and churn model, with room for 200 event ids.
    private static func pipeline() throws -> Pipeline {
        var configuration = try SnapshotTests.configuration()
        configuration.dedupCapacity = 200
        return try Pipeline(configuration: configuration, maxPayloadBytes: 65_536)
    }

    /// Takes the outbound messages produced so far, as `topic<TAB>json` lines.
    private static func drain(_ pipeline: inout Pipeline, into lines: inout [String]) {
        pipeline.engine.outbound.forEach { topic, json in
            lines.append(String(decoding: topic, as: UTF8.self) + "\t" + String(decoding: json, as: UTF8.self))
        }
        pipeline.engine.outbound.removeAll()
    }

    @Test("ingesting a group at a time gives what ingesting one message at a time gives, message by message")
    func groupsMatchSingleMessages() throws {
        let messages = Self.messages()
        let receivedAt: Int64 = 1_767_225_700_000

        var single = try Self.pipeline()
        var singleLines: [[String]] = []
        for message in messages {
            message.topic.withUnsafeBytes { topic in
                message.payload.withUnsafeBytes { payload in
                    if message.frames == 2 {
                        single.ingest(topic: topic, payload: payload, receivedAt: receivedAt)
                    } else {
                        single.rejectFrameCount(topic: topic, payload: payload, frames: message.frames)
                    }
                }
            }
            var lines: [String] = []
            Self.drain(&single, into: &lines)
            singleLines.append(lines)
        }

        // Every message's bytes in one buffer, handed on in slices of uneven length, so groups
        // start at different places and some are shorter than a whole group.
        var bytes: [UInt8] = []
        var bounds: [(topic: Range<Int>, payload: Range<Int>, frames: Int)] = []
        for message in messages {
            let topicStart = bytes.count
            bytes.append(contentsOf: message.topic)
            let payloadStart = bytes.count
            bytes.append(contentsOf: message.payload)
            bounds.append((topicStart..<payloadStart, payloadStart..<bytes.count, message.frames))
        }
        var grouped = try Self.pipeline()
        var groupedLines: [[String]] = []
        bytes.withUnsafeBytes { all in
            let raw = bounds.map {
                RawMessage(topic: UnsafeRawBufferPointer(rebasing: all[$0.topic]), payload: UnsafeRawBufferPointer(rebasing: all[$0.payload]), frames: $0.frames)
            }
            var start = 0
            var length = 1
            while start < raw.count {
                let slice = raw[start..<min(start + length, raw.count)]
                slice.withUnsafeBufferPointer { group in
                    grouped.ingest(group, receivedAt: receivedAt) { pipeline in
                        var lines: [String] = []
                        Self.drain(&pipeline, into: &lines)
                        groupedLines.append(lines)
                    }
                }
                start += slice.count
                length = length % 37 + 5
            }
        }

        #expect(groupedLines.count == messages.count, "afterEach ran \(groupedLines.count) times for \(messages.count) messages")
        for (index, (expected, actual)) in zip(singleLines, groupedLines).enumerated() where expected != actual {
            Issue.record("message \(index): \(actual) instead of \(expected)")
            break
        }
        #expect(grouped.engine.statistics.acceptedByKind == single.engine.statistics.acceptedByKind)
        #expect(grouped.engine.statistics.rejectedByReason == single.engine.statistics.rejectedByReason)
        // The stream reaches every refusal it was built to have.
        let reasons = Set(single.engine.statistics.rejectedByReason.keys)
        #expect(reasons.isSuperset(of: [.duplicate, .malformedJSON, .unknownTopic, .frameCount, .currency, .late, .future]), "\(reasons)")
        #expect(single.engine.dedupForgottenEarly > 0)
    }
}
