/// Encodes the `deadletter` message for a refused inbound message (see
/// `schemas/deadletter.schema.json`): the reason code, a sentence saying what was wrong, and the
/// original bytes (as text when they are UTF-8, base64 otherwise), truncated to a bound so one
/// huge bad message cannot flood subscribers.
public enum DeadLetter {
    public static let topic: [UInt8] = Array("deadletter".utf8)
    /// Longest topic echoed back, in bytes.
    static let maxTopicBytes = 256

    public static func encode(
        seq: UInt64,
        rejection: Rejection,
        topic: UnsafeRawBufferPointer,
        payload: UnsafeRawBufferPointer,
        frames: Int,
        maxPayloadBytes: Int,
        into writer: inout JSONWriter
    ) {
        writer.beginObject()
        writer.key("seq")
        writer.integer(Int64(seq))
        writer.key("reason")
        writer.string(rejection.reason.rawValue)
        writer.key("detail")
        writer.string(rejection.detail)
        writer.key("topic")
        writer.string(String(decoding: topic[..<characterBoundary(in: topic, atOrBefore: maxTopicBytes)], as: UTF8.self))
        writer.key("frames")
        writer.integer(frames)
        writer.key("payload_bytes")
        writer.integer(payload.count)
        let isText = UTF8Validation.isValid(payload)
        let kept = isText ? characterBoundary(in: payload, atOrBefore: maxPayloadBytes) : min(payload.count, maxPayloadBytes)
        let echoed = UnsafeRawBufferPointer(rebasing: payload[0..<kept])
        writer.key("truncated")
        writer.bool(kept < payload.count)
        writer.key("payload_encoding")
        writer.string(isText ? "utf8" : "base64")
        writer.key("payload")
        if isText {
            writer.string(utf8: echoed)
        } else {
            writer.string(Base64.encode(echoed))
        }
        writer.endObject()
    }

    /// The largest cut at or before `limit` that does not split a UTF-8 sequence: backs up over
    /// continuation bytes (10xxxxxx) to the start of the character at the cut.
    static func characterBoundary(in bytes: UnsafeRawBufferPointer, atOrBefore limit: Int) -> Int {
        var cut = min(bytes.count, limit)
        while cut > 0, cut < bytes.count, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut
    }
}
