@testable import SegdCore

extension EventDecoder {
    /// Decodes a payload written as a Swift string.
    mutating func decode(_ topic: String, _ json: String) -> Result<DecodedEvent, Rejection> {
        decode(topic: topic, payload: Array(json.utf8))
    }

    /// The string a text range of the event decoded last refers to.
    func string(_ range: TextRange?) -> String? {
        guard let range else { return nil }
        return String(decoding: text[range.indices], as: UTF8.self)
    }
}

extension Result where Success == DecodedEvent, Failure == Rejection {
    var event: DecodedEvent? {
        if case .success(let event) = self { event } else { nil }
    }

    var rejection: Rejection? {
        if case .failure(let rejection) = self { rejection } else { nil }
    }

    var reason: RejectReason? { rejection?.reason }
}

/// A valid event of each kind with only the required fields, for tests that change one thing.
enum DecoderSample {
    static let click = #"{"event_id":"e1","customer_id":"c1","ts":"2026-03-14T09:26:53.589Z","action":"view"}"#
    static let order = #"{"event_id":"e2","customer_id":"c1","ts":1773480413589,"amount":2999,"currency":"USD"}"#
    static let review = #"{"event_id":"e3","customer_id":"c1","ts":"2026-03-14T09:26:53Z","rating":4}"#

    /// The sample event of `topic`'s kind with `member` (JSON text such as `"items":2`) added.
    static func of(_ topic: String, adding member: String) -> String {
        let json = topic.hasPrefix("clicks") ? click : topic.hasPrefix("orders") ? order : review
        return json.dropLast() + "," + member + "}"
    }

    /// An order event with `members` (JSON text such as `"items":2`) in place of the optional fields.
    static func order(_ members: String) -> String {
        #"{"event_id":"e2","customer_id":"c1","ts":1773480413589,"amount":2999,"currency":"USD","# + members + "}"
    }

    /// A review event whose rating is the JSON text `rating`.
    static func review(rating: String) -> String {
        #"{"event_id":"e3","customer_id":"c1","ts":"2026-03-14T09:26:53Z","rating":"# + rating + "}"
    }

    /// A click event whose ts is the JSON text `ts`.
    static func click(ts: String) -> String {
        #"{"event_id":"e1","customer_id":"c1","ts":"# + ts + #","action":"view"}"#
    }
}

extension String {
    /// This string with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
