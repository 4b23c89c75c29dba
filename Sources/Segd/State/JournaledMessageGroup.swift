import SegdCore

/// Journaled messages held during recovery so that they are applied a group at a time, as the
/// live loop applied them (``Pipeline/ingest(_:receivedAt:afterEach:)``: decoded first, each
/// group's dedup slots read together), instead of one by one. A group holds consecutive messages
/// with one receipt time (the receiver stamps every message of a turn alike), at most
/// ``SegmentEngine/readAheadGroupSize``. The messages' bytes are copied: a journal record's bytes
/// last only while its segment is being read.
struct JournaledMessageGroup {
    private var bytes: [UInt8] = []
    private var messages: [(topic: Range<Int>, payload: Range<Int>, frames: Int)] = []
    private var receivedAt: Int64 = 0

    /// Adds a message received at `receivedAt`, first applying the held ones to `pipeline` when
    /// it cannot join them.
    mutating func add(
        receivedAt: Int64, frames: Int, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, to pipeline: inout Pipeline
    ) {
        if !messages.isEmpty, receivedAt != self.receivedAt || messages.count == SegmentEngine.readAheadGroupSize {
            apply(to: &pipeline)
        }
        self.receivedAt = receivedAt
        let topicStart = bytes.count
        bytes.append(contentsOf: topic)
        let payloadStart = bytes.count
        bytes.append(contentsOf: payload)
        messages.append((topicStart..<payloadStart, payloadStart..<bytes.count, frames))
    }

    /// Applies the held messages to `pipeline`, discarding what they would publish (it went out
    /// before the restart), and empties the group.
    mutating func apply(to pipeline: inout Pipeline) {
        guard !messages.isEmpty else { return }
        bytes.withUnsafeBytes { all in
            let group = messages.map {
                RawMessage(topic: UnsafeRawBufferPointer(rebasing: all[$0.topic]), payload: UnsafeRawBufferPointer(rebasing: all[$0.payload]), frames: $0.frames)
            }
            group.withUnsafeBufferPointer { group in
                pipeline.ingest(group, receivedAt: receivedAt) { $0.engine.outbound.removeAll() }
            }
        }
        bytes.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
    }
}
