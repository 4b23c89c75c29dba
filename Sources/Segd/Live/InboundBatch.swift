import SegdCore
import SegdDurability
import ZeroMQ

/// The messages the receiver thread took from the inbound sockets in one turn, copied out of
/// libzmq straight into their journal entries' encoding and decoded, for the loop thread to
/// journal and apply in order (``Receiver``).
///
/// A value with flat buffers: it moves between the threads whole through ``BatchHandoff`` and
/// comes back emptied with its capacity, so steady-state ingest allocates nothing for it.
struct InboundBatch: Sendable {
    struct Message: Sendable {
        /// Wall-clock receipt time, epoch milliseconds.
        var receivedAt: Int64
        /// The number of frames the message had; only a two-frame `[topic, json]` one is decoded.
        var frames: Int
        /// Where its journal entry (``JournalEntry/message(receivedAt:frames:topic:payload:)``),
        /// and within it the first and second frames, lie in ``InboundBatch/entries`` (the second
        /// frame empty when the message had one).
        var entry: Range<Int>
        var topic: Range<Int>
        var payload: Range<Int>
        /// An event's text ranges point into ``InboundBatch/text``; a rejection, with its text,
        /// waits in ``InboundBatch/rejections``.
        var decoding: DecodingOutcome
    }

    /// The size of ``entries`` past which the batch takes no more messages (``isFull``), handed
    /// to the loop as it is. An event's text ranges point into the entries, so every byte an event
    /// can point at must stay within a ``TextRange``'s reach (`Int32`): a message starts below this,
    /// its entry holds at most two frames of libzmq's 16 × `max_message_bytes` limit (256 MiB each
    /// at most), and a decoded event's text is at most twice `max_message_bytes` (32 MiB).
    static let fullBytes = 64 << 20
    /// The most of ``entries``' capacity an emptied batch keeps: a batch of ordinary events takes
    /// a few hundred KiB, and a burst of large messages should not hold its memory for good
    /// (four batches circulate, each up to ``fullBytes`` and a message).
    static let retainedBytes = 8 << 20

    private(set) var messages: [Message] = []
    /// The rejections of messages the decoder refused, in order (``DecodingOutcome/rejection(_:)``).
    private(set) var rejections: [Rejection] = []
    /// Every message's journal entry, back to back, each decoded event's unescaped strings (its
    /// decoder text past the payload, nearly always none) right after its entry, outside the
    /// entry's range. The payload ends an entry, so after it the bytes are laid out as the
    /// decoder's text was, and the event's ranges only move by where the payload starts.
    private var entries = BinaryWriter()

    /// The bytes the decoded events' text ranges point into.
    var text: [UInt8] { entries.bytes }

    var count: Int { messages.count }
    var isEmpty: Bool { messages.isEmpty }
    /// Whether the batch should take no more messages (``fullBytes``).
    var isFull: Bool { entries.count >= Self.fullBytes }

    /// Empties the batch for reuse, keeping its capacity up to ``retainedBytes``.
    mutating func removeAll() {
        messages.removeAll(keepingCapacity: true)
        rejections.removeAll(keepingCapacity: true)
        if entries.capacity > Self.retainedBytes { entries = BinaryWriter() } else { entries.reset() }
    }

    /// How many bytes the entries hold without growing.
    var entriesCapacity: Int { entries.capacity }

    /// Adds the message in `frames`, decoding it with `decoder` when it has two frames. Returns
    /// whether it was decoded, so the caller knows `decoder.producerStamp` is this message's.
    mutating func append(_ frames: borrowing ZMQFrameSet, receivedAt: Int64, decoder: inout EventDecoder) -> Bool {
        let start = entries.count
        let total = frames.totalFrameCount
        let (topic, payload) = frames.withFrame(0) { topic in
            guard frames.count >= 2 else {
                let none = UnsafeRawBufferPointer(start: nil, count: 0)
                return JournalEntry.appendMessage(receivedAt: receivedAt, frames: total, topic: topic, payload: none, to: &entries)
            }
            return frames.withFrame(1) { payload in
                JournalEntry.appendMessage(receivedAt: receivedAt, frames: total, topic: topic, payload: payload, to: &entries)
            }
        }
        var message = Message(receivedAt: receivedAt, frames: total, entry: start..<entries.count, topic: topic, payload: payload, decoding: .notTwoFrames)
        if message.frames == 2 {
            var event = DecodedEvent.blank()
            let rejection = entries.bytes.withUnsafeBytes { all in
                decoder.decode(topic: UnsafeRawBufferPointer(rebasing: all[topic]), payload: UnsafeRawBufferPointer(rebasing: all[payload]), into: &event)
            }
            if let rejection {
                message.decoding = .rejection(rejections.count)
                rejections.append(rejection)
            } else {
                // The payload is in the entry already: no copy of it for the loop to read.
                event.moveText(by: Int32(payload.lowerBound))
                if decoder.text.count > payload.count { entries.writeRaw(decoder.text[payload.count...]) }
                message.decoding = .event(event)
            }
        }
        messages.append(message)
        return message.frames == 2
    }

    /// The `event_id` (a range of ``text``) of message `index`, when it decoded to an event.
    func eventID(_ index: Int) -> TextRange? {
        guard case .event(let event) = messages[index].decoding else { return nil }
        return event.eventID
    }

    /// Calls `body` with the messages' encoded journal entries, message `index`'s as `entry(index)`,
    /// all valid only inside it.
    func withEntries<R, E: Error>(_ body: (_ entry: (Int) -> UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try entries.bytes.withRawBytes { (all) throws(E) in
            try body { index in UnsafeRawBufferPointer(rebasing: all[messages[index].entry]) }
        }
    }

    /// Calls `body` with message `index`, its encoded journal entry, and its topic and payload
    /// bytes, all valid only inside it.
    func withMessage<R, E: Error>(
        _ index: Int,
        _ body: (Message, _ entry: UnsafeRawBufferPointer, _ topic: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        let message = messages[index]
        return try entries.bytes.withRawBytes { (all) throws(E) in
            try body(
                message, UnsafeRawBufferPointer(rebasing: all[message.entry]),
                UnsafeRawBufferPointer(rebasing: all[message.topic]), UnsafeRawBufferPointer(rebasing: all[message.payload]))
        }
    }
}
