import SegdCore
import Testing
import ZeroMQ
@testable import Segd

@Suite("Inbound batches")
struct InboundBatchTests {
    /// Sends each `[topic, payload]` over inproc and appends what arrives to one batch, as the
    /// receiver thread does.
    private func batch(of messages: [(topic: String, payload: String)]) throws -> InboundBatch {
        let context = try ZMQContext()
        let pull = try context.makeSocket(.pull)
        let push = try context.makeSocket(.push)
        defer { push.close(); pull.close() }
        try pull.bind("inproc://inbound-batch")
        try push.connect("inproc://inbound-batch")
        var batch = InboundBatch()
        var decoder = EventDecoder()
        var frames = ZMQFrameSet(capacity: 2)
        for message in messages {
            try push.send(message.topic, message.payload)
            #expect(try pull.receive(into: &frames))
            _ = batch.append(frames, receivedAt: 0, decoder: &decoder)
        }
        return batch
    }

    /// The customer id of message `index`, read from the batch's text as the loop reads it.
    private func customerID(of index: Int, in batch: InboundBatch) throws -> String {
        guard case .success(let event)? = batch.decoded(batch.messages[index]) else {
            Issue.record("message \(index) was not decoded as an event")
            return ""
        }
        return String(decoding: batch.text[event.customerID.indices], as: UTF8.self)
    }

    @Test func anEventsPayloadIsCopiedWholeAndItsStringsPointIntoIt() throws {
        let first = #"{"event_id":"e1","customer_id":"c1","ts":0,"action":"view"}"#
        let second = #"{"event_id":"e2","customer_id":"c\u0032","ts":0,"action":"view"}"#
        let batch = try batch(of: [("clicks", first), ("clicks", second)])
        #expect(batch.text == Array(first.utf8) + Array(second.utf8) + Array("c2".utf8))
        #expect(try customerID(of: 0, in: batch) == "c1")
        #expect(try customerID(of: 1, in: batch) == "c2")
    }

    @Test func aPayloadPaddedFarBeyondItsStringsGivesOnlyItsStrings() throws {
        // Valid JSON: whitespace may pad a payload up to max_message_bytes. Copied whole, 65,536
        // of them would take a batch's text past a TextRange's reach.
        let padding = String(repeating: " ", count: InboundBatch.wholeTextLimit)
        let padded = #"{"event_id":"e1","# + padding + #""customer_id":"c1","ts":0,"action":"view"}"#
        let next = #"{"event_id":"e2","customer_id":"c2","ts":0,"action":"view"}"#
        let batch = try batch(of: [("clicks", padded), ("clicks", next)])
        #expect(batch.text == Array("e1c1".utf8) + Array(next.utf8))
        #expect(try customerID(of: 0, in: batch) == "c1")
        #expect(try customerID(of: 1, in: batch) == "c2")
    }
}
