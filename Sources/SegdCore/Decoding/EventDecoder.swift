/// Turns one inbound `[topic, json]` message into a ``DecodedEvent`` or a ``Rejection``, accepting
/// exactly what `schemas/{click,order,review}.schema.json` accept.
///
/// Owns ``text``, the scratch buffer that holds the string fields of the event decoded last (the
/// event's ``TextRange``s point into it until the next call), and a small list of the unknown keys
/// seen in the current payload. One decoder serves one ingest thread; it is a value,
/// so a copy is an independent decoder. Decoding a valid event allocates nothing once the buffers
/// have their capacity. Most events are read in one pass by ``CompactEventReader``; the rest, and
/// every message refused, by the full decoder here.
///
/// When a message has several faults, the reported reason is the first that applies in this order:
/// 1. `unknownTopic`, then `oversized`, then `invalidUTF8`: the envelope, checked before any parsing;
/// 2. `malformedJSON`: the whole payload is scanned first, so any syntax error, a duplicate top-level
///    key, nesting deeper than ``JSONScanner/maxDepth`` or trailing data wins over schema faults
///    (an unpaired `\uD800`-style escape counts as malformed: it has no UTF-8 form);
/// 3. `unknownField`, the first in document order: a key the kind's schema does not define usually
///    means a producer on another schema version, which explains the other faults too;
/// 4. `invalidField`, the first in document order;
/// 5. `missingField`, naming every absent required field (`producer_id` and `producer_seq` are
///    required together: either one makes the other required).
public struct EventDecoder: Sendable {
    /// Payloads longer than this are rejected as `oversized` without being looked at.
    public let maxPayloadBytes: Int

    /// The payload of the message decoded last, then the unescaped values of its strings that had
    /// escapes: the event's ``TextRange``s point at a string's bytes in the payload when it has no
    /// escape (nearly always), so that keeping it costs no copy of its own.
    public private(set) var text: [UInt8]

    /// Unescaped unknown keys of the current payload (ranges into ``text``), kept only to spot a
    /// duplicate among them; empty for valid events.
    private var unknownKeys: [TextRange]

    /// The producer stamp of the message decoded last, when it carried a valid `producer_id` and
    /// `producer_seq`: set even when the event is refused for another fault (the message did
    /// arrive, which is all gap detection needs), nil after an envelope fault or malformed JSON.
    /// Its id is a range in ``text``, valid until the next call to `decode`.
    public private(set) var producerStamp: ProducerStamp?

    public init(maxPayloadBytes: Int = 65536) {
        precondition((0...Int(Int32.max) / 2).contains(maxPayloadBytes), "twice maxPayloadBytes must fit a TextRange (0…Int32.max)")
        self.maxPayloadBytes = maxPayloadBytes
        // Unescaping never lengthens a string and stored strings never overlap in the payload,
        // so what follows the payload in the text never outgrows the payload.
        text = []
        text.reserveCapacity(2 * maxPayloadBytes)
        unknownKeys = []
        unknownKeys.reserveCapacity(8)
        producerStamp = nil
    }

    /// Decodes one message. `topic` and `payload` are only read during the call.
    public mutating func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Result<DecodedEvent, Rejection> {
        var event = DecodedEvent.blank()
        if let rejection = decode(topic: topic, payload: payload, into: &event) { return .failure(rejection) }
        return .success(event)
    }

    /// Decodes one message into `event` and returns nil, or returns why it is refused (leaving
    /// `event` unspecified): ``decode(topic:payload:)`` for the ingest paths, where the event is
    /// written in place instead of copied out through a `Result`. `topic` and `payload` are only
    /// read during the call.
    public mutating func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, into event: inout DecodedEvent) -> Rejection? {
        producerStamp = nil
        guard let kind = Self.kind(ofTopic: topic) else {
            return Rejection(
                .unknownTopic,
                "unknown topic \(RejectionDetail.quoted(topic)); expected \"clicks\", \"orders\" or \"reviews\", "
                    + "optionally followed by \".\" and a suffix"
            )
        }
        guard payload.count <= maxPayloadBytes else {
            return Rejection(.oversized, "payload is \(payload.count) bytes, more than the limit of \(maxPayloadBytes)")
        }
        if CompactEventReader.read(kind, payload, into: &event) {
            setText(to: payload)
            stampProducer(of: event)
            return nil
        }
        return decodeInFull(kind, payload, into: &event)
    }

    /// Decodes a payload that ``CompactEventReader`` did not read: checks its UTF-8, then scans
    /// the JSON, then the schema. Every rejection comes from here.
    mutating func decodeInFull(_ kind: EventKind, _ payload: UnsafeRawBufferPointer, into event: inout DecodedEvent) -> Rejection? {
        if let failure = UTF8Validation.firstFailure(in: payload) {
            return Rejection(.invalidUTF8, "invalid UTF-8 at byte \(failure.offset): \(failure.problem.explanation)")
        }
        setText(to: payload)
        if !unknownKeys.isEmpty { unknownKeys.removeAll(keepingCapacity: true) }
        return decodeObject(kind, payload, into: &event)
    }

    private mutating func setText(to payload: UnsafeRawBufferPointer) {
        text.replaceSubrange(text.indices, with: payload)
    }

    private mutating func stampProducer(of event: DecodedEvent) {
        if let id = event.producerID, let seq = event.producerSeq {
            producerStamp = ProducerStamp(id: id, seq: seq)
        }
    }

    /// Decodes one message given as Swift values; for tests and tools, not the ingest path.
    public mutating func decode(topic: String, payload: [UInt8]) -> Result<DecodedEvent, Rejection> {
        var topic = topic
        return topic.withUTF8 { topicBytes in
            payload.withUnsafeBytes { payloadBytes in
                decode(topic: UnsafeRawBufferPointer(topicBytes), payload: payloadBytes)
            }
        }
    }

    // MARK: - Topic

    static func kind(ofTopic topic: UnsafeRawBufferPointer) -> EventKind? {
        if topic.isTopic("clicks") { return .click }
        if topic.isTopic("orders") { return .order }
        if topic.isTopic("reviews") { return .review }
        return nil
    }

    // MARK: - Object

    /// The first invalid value met while scanning, kept as offsets so the detail sentence is only
    /// built if this fault is the one reported.
    private struct InvalidValue {
        var field: EventField
        var start: Int
        var end: Int
    }

    private mutating func decodeObject(_ kind: EventKind, _ payload: UnsafeRawBufferPointer, into event: inout DecodedEvent) -> Rejection? {
        event = .blank(kind)
        let allowed = EventField.allowed(in: kind)
        var seen: UInt16 = 0
        var firstUnknownKey: JSONStringToken?
        var firstInvalid: InvalidValue?
        var scanner = JSONScanner(payload)
        do throws(JSONSyntaxError) {
            scanner.skipWhitespace()
            try scanner.expect(UInt8(ascii: "{"), else: .expectedObject)
            scanner.skipWhitespace()
            if !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    scanner.skipWhitespace()
                    let keyOffset = scanner.position
                    guard scanner.current == UInt8(ascii: "\"") else { throw scanner.failure(.expectedKey) }
                    let key: JSONStringToken
                    let field: EventField?
                    if let known = EventField.named(quotedAt: keyOffset, in: payload) {
                        // Nearly every key: a schema field's name as it stands, read without a scan.
                        key = JSONStringToken(start: keyOffset + 1, end: known.end, hasEscapes: false)
                        scanner.skip(to: known.end + 1)
                        field = known.field
                    } else {
                        key = try scanner.scanString()
                        field = fieldNamed(by: key, in: payload)
                    }
                    if let field {
                        guard seen & field.bit == 0 else { throw JSONSyntaxError(offset: keyOffset, problem: .duplicateKey) }
                        seen |= field.bit
                    } else {
                        try rememberUnknownKey(key, in: payload, keyOffset: keyOffset)
                    }
                    scanner.skipWhitespace()
                    try scanner.expect(UInt8(ascii: ":"), else: .expectedColon)
                    scanner.skipWhitespace()
                    let valueStart = scanner.position
                    if let field, allowed & field.bit != 0 {
                        let isValid = try decodeValue(of: field, with: &scanner, into: &event)
                        if !isValid, firstInvalid == nil {
                            firstInvalid = InvalidValue(field: field, start: valueStart, end: scanner.position)
                        }
                    } else {
                        try scanner.skipValue(depth: 2)
                        if firstUnknownKey == nil { firstUnknownKey = key }
                    }
                    scanner.skipWhitespace()
                } while scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"), else: .expectedCommaOrObjectEnd)
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.failure(.trailingData) }
        } catch {
            return Rejection(.malformedJSON, "malformed JSON at byte \(error.offset): \(error.problem.explanation)")
        }
        stampProducer(of: event)

        if let key = firstUnknownKey {
            let allowedNames = EventField.allCases.filter { allowed & $0.bit != 0 }.map { "\($0.wireName)" }
            return Rejection(
                .unknownField,
                "field \(keyText(key, in: payload)) is not defined for \(kind.topic) events; "
                    + "allowed: " + allowedNames.joined(separator: ", ")
            )
        }
        if let invalid = firstInvalid {
            let value = RejectionDetail.excerpt(UnsafeRawBufferPointer(rebasing: payload[invalid.start..<invalid.end]))
            let field = invalid.field
            return Rejection(.invalidField, "field \"\(field.wireName)\": expected \(field.expectation), got \(value)")
        }
        let partners = EventField.missingPartners(given: seen)
        let missing = EventField.required(in: kind) & ~seen | partners
        if missing != 0 {
            let fields = EventField.allCases.filter { missing & $0.bit != 0 }
            let detail: String
            if fields.count == 1 {
                let field = fields[0]
                let because = partners == 0 ? "" : " (it comes with \"\(field.partner?.wireName ?? "")\")"
                detail = "missing required field \"\(field.wireName)\"\(because): expected \(field.expectation)"
            } else {
                detail = "missing required fields " + fields.map { "\"\($0.wireName)\"" }.joined(separator: ", ")
            }
            return Rejection(.missingField, detail)
        }
        return nil
    }

    /// The schema field `key` names, unescaping it only if it has escapes.
    private mutating func fieldNamed(by key: JSONStringToken, in payload: UnsafeRawBufferPointer) -> EventField? {
        guard key.hasEscapes else { return EventField.named(UnsafeRawBufferPointer(rebasing: payload[key.start..<key.end])) }
        let mark = text.count
        JSONString.appendValue(of: key, in: payload, to: &text)
        let field = text.withUnsafeBytes { EventField.named(UnsafeRawBufferPointer(rebasing: $0[mark...])) }
        text.removeSubrange(mark...)
        return field
    }

    /// Records an unknown key, throwing if the same (unescaped) key came before.
    private mutating func rememberUnknownKey(_ key: JSONStringToken, in payload: UnsafeRawBufferPointer, keyOffset: Int) throws(JSONSyntaxError) {
        let start = text.count
        JSONString.appendValue(of: key, in: payload, to: &text)
        let range = TextRange(start: Int32(start), count: Int32(text.count - start))
        let earlier = unknownKeys
        let isDuplicate = text.withUnsafeBytes { all in
            let name = UnsafeRawBufferPointer(rebasing: all[start...])
            return earlier.contains { UnsafeRawBufferPointer(rebasing: all[$0.indices]).hasSameBytes(as: name) }
        }
        guard !isDuplicate else { throw JSONSyntaxError(offset: keyOffset, problem: .duplicateKey) }
        unknownKeys.append(range)
    }

    private func keyText(_ key: JSONStringToken, in payload: UnsafeRawBufferPointer) -> String {
        var name: [UInt8] = []
        JSONString.appendValue(of: key, in: payload, to: &name)
        return name.withUnsafeBytes { RejectionDetail.quoted($0) }
    }

    // MARK: - Field values

    /// Reads the value of a field the kind allows and stores it in `event`; false if the schema
    /// rejects it. The value is scanned to its end either way.
    private mutating func decodeValue(
        of field: EventField, with scanner: inout JSONScanner, into event: inout DecodedEvent
    ) throws(JSONSyntaxError) -> Bool {
        switch scanner.current {
        case UInt8(ascii: "\""):
            let token = try scanner.scanString()
            return acceptString(token, in: scanner.bytes, for: field, into: &event)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try scanner.scanNumber()
            return Self.acceptNumber(number, for: field, into: &event)
        default:
            try scanner.skipValue(depth: 2)
            return false
        }
    }

    private mutating func acceptString(
        _ token: JSONStringToken, in payload: UnsafeRawBufferPointer, for field: EventField, into event: inout DecodedEvent
    ) -> Bool {
        switch field {
        case .eventID, .customerID, .producerID, .productID, .sessionID, .category:
            // Kept where it stands in the payload's copy at the front of `text` unless it has escapes.
            let range: TextRange
            if token.hasEscapes {
                let start = text.count
                JSONString.appendValue(of: token, in: payload, to: &text)
                range = TextRange(start: Int32(start), count: Int32(text.count - start))
            } else {
                range = TextRange(start: Int32(token.start), count: Int32(token.end - token.start))
            }
            let isValid = text.withUnsafeBytes { all in
                let value = UnsafeRawBufferPointer(rebasing: all[range.indices])
                return field == .category
                    ? Self.isPrintableASCII(value, maxCount: EventField.maxCategoryBytes, lowest: 0x20)
                    : Self.isPrintableASCII(value, maxCount: EventField.maxIDBytes, lowest: 0x21)
            }
            guard isValid else {
                if token.hasEscapes { text.removeSubrange(Int(range.start)...) }
                return false
            }
            event.setText(range, of: field)
            return true
        case .action:
            guard let action = withValue(of: token, in: payload, Self.clickAction(named:)) else { return false }
            event.action = action
            return true
        case .currency:
            guard let currency = withValue(of: token, in: payload, Self.currencyCode(_:)) else { return false }
            event.currency = currency
            return true
        case .ts:
            guard let milliseconds = withValue(of: token, in: payload, RFC3339Timestamp.epochMilliseconds(_:)) else { return false }
            event.timestamp = milliseconds
            return true
        case .producerSeq, .amount, .items, .rating:
            return false
        }
    }

    static func acceptNumber(_ number: JSONNumberValue, for field: EventField, into event: inout DecodedEvent) -> Bool {
        guard case .integer(let value) = number else { return false }
        switch field {
        case .ts:
            guard (0...EventField.maxEpochMilliseconds).contains(value) else { return false }
            event.timestamp = value
        case .producerSeq:
            guard (0...EventField.maxProducerSeq).contains(value) else { return false }
            event.producerSeq = value
        case .amount:
            guard (0...EventField.maxAmountMinor).contains(value) else { return false }
            event.amountMinor = value
        case .items:
            guard EventField.itemsRange.contains(value) else { return false }
            event.items = Int32(value)
        case .rating:
            guard EventField.ratingRange.contains(value) else { return false }
            event.rating = UInt8(value)
        case .eventID, .customerID, .producerID, .productID, .sessionID, .category, .action, .currency:
            return false
        }
        return true
    }

    /// Runs `parse` on the unescaped value of a string that is not kept in ``text``: the payload
    /// bytes themselves when there is nothing to unescape, else a temporary copy at the end of `text`.
    private mutating func withValue<T>(
        of token: JSONStringToken, in payload: UnsafeRawBufferPointer, _ parse: (UnsafeRawBufferPointer) -> T?
    ) -> T? {
        guard token.hasEscapes else { return parse(UnsafeRawBufferPointer(rebasing: payload[token.start..<token.end])) }
        let mark = text.count
        JSONString.appendValue(of: token, in: payload, to: &text)
        let result = text.withUnsafeBytes { parse(UnsafeRawBufferPointer(rebasing: $0[mark...])) }
        text.removeSubrange(mark...)
        return result
    }

    private static func isPrintableASCII(_ value: UnsafeRawBufferPointer, maxCount: Int, lowest: UInt8) -> Bool {
        guard !value.isEmpty, value.count <= maxCount else { return false }
        return value.allBytes(in: lowest, 0x7E)
    }

    static func currencyCode(_ value: UnsafeRawBufferPointer) -> CurrencyCode? {
        guard value.count == 3, value.allBytes(in: UInt8(ascii: "A"), UInt8(ascii: "Z")) else { return nil }
        return CurrencyCode(value[0], value[1], value[2])
    }

    /// Matches against the wire names as static bytes (``ClickAction/name`` is a `String`, and
    /// comparing with it would cost more); a test keeps the two spellings in step.
    static func clickAction(named value: UnsafeRawBufferPointer) -> ClickAction? {
        switch value.count {
        case 4: value.hasSameBytes(as: "view") ? .view : nil
        case 6: value.hasSameBytes(as: "search") ? .search : nil
        case 8: value.hasSameBytes(as: "wishlist") ? .wishlist : value.hasSameBytes(as: "checkout") ? .checkout : nil
        case 11: value.hasSameBytes(as: "add_to_cart") ? .addToCart : nil
        case 16: value.hasSameBytes(as: "remove_from_cart") ? .removeFromCart : nil
        default: nil
        }
    }
}

/// A message's `producer_id` (a range in ``EventDecoder/text``) and `producer_seq`.
public struct ProducerStamp: Sendable, Equatable {
    public var id: TextRange
    public var seq: Int64
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes are the topic `stem`, alone or followed by `.` and a non-empty suffix.
    fileprivate func isTopic(_ stem: StaticString) -> Bool {
        let length = stem.utf8CodeUnitCount
        guard count == length || (count > length + 1 && self[length] == UInt8(ascii: ".")) else { return false }
        return UnsafeRawBufferPointer(rebasing: self[0..<length]).hasSameBytes(as: stem)
    }
}
