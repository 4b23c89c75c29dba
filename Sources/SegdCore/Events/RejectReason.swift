/// Why an inbound message was refused. The raw value is the `reason` field of a `deadletter`
/// message and the `reason` label of the rejection counter; it never changes once published.
public enum RejectReason: String, Sendable, CaseIterable, Comparable {
    /// The message did not have exactly two frames, `[topic, json]`.
    case frameCount = "frame_count"
    /// The topic frame is not `clicks`, `orders` or `reviews` (optionally followed by `.suffix`).
    case unknownTopic = "unknown_topic"
    /// The payload is longer than the configured maximum.
    case oversized = "oversized"
    /// The payload is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// The payload is not one well-formed JSON object (syntax error, trailing data, duplicate key, too deep).
    case malformedJSON = "malformed_json"
    /// A required field is absent.
    case missingField = "missing_field"
    /// A field has the wrong type or a value outside what the schema allows.
    case invalidField = "invalid_field"
    /// The object has a field the schema does not define.
    case unknownField = "unknown_field"
    /// An order is in a currency other than the one the engine computes spend in.
    case currency = "currency"
    /// The event time is behind the engine clock (the newest event time minus the allowed lateness).
    case late = "late"
    /// The event time is further ahead of the time of receipt than the allowed clock skew.
    case future = "future"
    /// The event's customer is new, and the customer ids held fill what segd can index (4 GiB).
    case capacity = "capacity"
    /// An event with the same `event_id` was accepted within the dedup horizon (a producer retry).
    case duplicate = "duplicate"

    public static func < (lhs: RejectReason, rhs: RejectReason) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A refused message: the reason code and a sentence for a human saying what was wrong and where.
public struct Rejection: Error, Sendable, Equatable {
    public var reason: RejectReason
    public var detail: String

    public init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
