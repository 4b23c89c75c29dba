import SegdCore
import SegdDurability
import Testing
import ZeroMQ
@testable import Segd

@Suite("Inbound batches")
struct InboundBatchTests {
    /// Sends each `[topic, payload]` over inproc and appends what arrives to one batch, as the
    /// receiver thread does.
    private func batch(of messages: [(topic: String, payload: String)], maxPayloadBytes: Int = 65536) throws -> InboundBatch {
        let context = try ZMQContext()
        let pull = try context.makeSocket(.pull)
        let push = try context.makeSocket(.push)
        defer { push.close(); pull.close() }
        try pull.bind("inproc://inbound-batch")
        try push.connect("inproc://inbound-batch")
        var batch = InboundBatch()
        var decoder = EventDecoder(maxPayloadBytes: maxPayloadBytes)
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
        guard case .event(let event) = batch.messages[index].decoding else {
            Issue.record("message \(index) was not decoded as an event")
            return ""
        }
        return String(decoding: batch.text[event.customerID.indices], as: UTF8.self)
    }

    @Test func anEventsStringsPointIntoItsJournalEntryOrJustAfterIt() throws {
        let first = #"{"event_id":"e1","customer_id":"c1","ts":0,"action":"view"}"#
        let second = #"{"event_id":"e2","customer_id":"c\u0032","ts":0,"action":"view"}"#
        let third = #"{"event_id":"e3","customer_id":"c3","ts":0,"action":"view"}"#
        let batch = try batch(of: [("clicks", first), ("clicks", second), ("clicks", third)])
        #expect(try customerID(of: 0, in: batch) == "c1")
        #expect(try customerID(of: 1, in: batch) == "c2")
        #expect(try customerID(of: 2, in: batch) == "c3")
        // The unescaped "c2" lies between the second and third entries, in neither: the journal
        // gets each entry exactly as encoded.
        for (index, payload) in [first, second, third].enumerated() {
            batch.withMessage(index) { _, entry, _, payloadBytes in
                #expect(Array(payloadBytes) == Array(payload.utf8))
                #expect(Array(entry.suffix(payloadBytes.count)) == Array(payload.utf8))
            }
        }
        #expect(batch.text.count == (0..<3).map { index in batch.withMessage(index) { _, entry, _, _ in entry.count } }.reduce(0, +) + 2)
    }

    @Test func aBatchIsFullOnceItsEntriesReachTheLimit() throws {
        // Payloads padded with whitespace (valid JSON) to a MiB each: the batch fills after
        // fullBytes / 1 MiB of them, and the last one's strings still read back.
        let padding = String(repeating: " ", count: 1 << 20)
        let messages = (0..<(InboundBatch.fullBytes >> 20) + 1).map { index in
            (topic: "clicks", payload: #"{"event_id":"e\#(index)","# + padding + #""customer_id":"c\#(index)","ts":0,"action":"view"}"#)
        }
        let full = try batch(of: Array(messages.dropLast()), maxPayloadBytes: 2 << 20)
        #expect(full.isFull)
        #expect(try customerID(of: full.count - 1, in: full) == "c\(full.count - 1)")
        let almost = try batch(of: Array(messages.dropLast(2)), maxPayloadBytes: 2 << 20)
        #expect(!almost.isFull)
    }

    @Test func anEmptiedBatchKeepsOrdinaryCapacityAndGivesBackABurstsMemory() throws {
        let event = #"{"event_id":"e1","customer_id":"c1","ts":0,"action":"view"}"#
        var ordinary = try batch(of: Array(repeating: ("clicks", event), count: 100))
        let capacity = ordinary.entriesCapacity
        ordinary.removeAll()
        #expect(ordinary.isEmpty && ordinary.entriesCapacity == capacity)

        let large = #"{"event_id":"e1","# + String(repeating: " ", count: 1 << 20) + #""customer_id":"c1","ts":0,"action":"view"}"#
        var burst = try batch(of: Array(repeating: ("clicks", large), count: (InboundBatch.retainedBytes >> 20) + 1), maxPayloadBytes: 2 << 20)
        #expect(burst.entriesCapacity > InboundBatch.retainedBytes)
        burst.removeAll()
        #expect(burst.isEmpty && burst.entriesCapacity == 0)
    }
}

@Suite("Journal entries of inbound messages")
struct InboundJournalEntryTests {
    @Test func theLargestMessageTheSocketsLetInFitsOneJournalRecord() {
        // Every received message is journaled, refused ones too: its first two frames, each as
        // large as libzmq lets through. A longer entry would stop the daemon at the journal.
        let largestFrame = SegdConfiguration.Ingest.maxMessageBytesRange.upperBound * InboundSockets.transportLimitMultiplier
        var entry = BinaryWriter()
        let topic = UnsafeRawBufferPointer(start: nil, count: 0)
        _ = JournalEntry.appendMessage(receivedAt: 0, frames: 2, topic: topic, payload: topic, to: &entry)
        #expect(entry.count + 2 * largestFrame <= Journal.maximumPayloadLength)
    }
}
