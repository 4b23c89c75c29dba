/// Every field the inbound schemas define: its wire name, which event kinds allow or require it,
/// and what a valid value looks like. Mirrors `schemas/*.schema.json`; the schema corpus test
/// (`DecoderSchemaCorpusTests`) fails when the two drift apart.
enum EventField: UInt8, CaseIterable, Sendable {
    case eventID, customerID, ts, producerID, producerSeq
    case action, productID, category, sessionID
    case amount, currency, items
    case rating

    /// One bit per field, for sets of fields without allocation.
    var bit: UInt16 { 1 &<< rawValue }

    var wireName: StaticString {
        switch self {
        case .eventID: "event_id"
        case .customerID: "customer_id"
        case .ts: "ts"
        case .producerID: "producer_id"
        case .producerSeq: "producer_seq"
        case .action: "action"
        case .productID: "product_id"
        case .category: "category"
        case .sessionID: "session_id"
        case .amount: "amount"
        case .currency: "currency"
        case .items: "items"
        case .rating: "rating"
        }
    }

    /// The fields a kind's schema lists under `properties`.
    static func allowed(in kind: EventKind) -> UInt16 {
        let common = eventID.bit | customerID.bit | ts.bit | producerID.bit | producerSeq.bit
        return switch kind {
        case .click: common | action.bit | productID.bit | category.bit | sessionID.bit
        case .order: common | amount.bit | currency.bit | items.bit | category.bit
        case .review: common | rating.bit | productID.bit
        }
    }

    /// The fields a kind's schema lists under `required`.
    static func required(in kind: EventKind) -> UInt16 {
        let common = eventID.bit | customerID.bit | ts.bit
        return switch kind {
        case .click: common | action.bit
        case .order: common | amount.bit | currency.bit
        case .review: common | rating.bit
        }
    }

    /// The fields required because another is present: `producer_id` and `producer_seq` come
    /// together or not at all (the schemas' `producer_stamp`, a `dependentRequired`).
    static func missingPartners(given seen: UInt16) -> UInt16 {
        let pair = producerID.bit | producerSeq.bit
        let present = seen & pair
        return present == 0 || present == pair ? 0 : pair & ~present
    }

    /// The field whose presence makes this one required, if any.
    var partner: EventField? {
        switch self {
        case .producerID: .producerSeq
        case .producerSeq: .producerID
        default: nil
        }
    }

    // Limits from the schemas.
    static let maxIDBytes = 128
    static let maxCategoryBytes = 64
    static let maxProducerSeq: Int64 = 9_007_199_254_740_991
    static let maxEpochMilliseconds: Int64 = 253_402_300_799_999
    static let maxAmountMinor: Int64 = 100_000_000_000
    static let itemsRange: ClosedRange<Int64> = 1...100_000
    static let ratingRange: ClosedRange<Int64> = 1...5

    /// What a valid value is, phrased to follow "expected" in a rejection detail.
    var expectation: String {
        switch self {
        case .eventID, .customerID, .producerID, .productID, .sessionID:
            "a string of 1…\(Self.maxIDBytes) printable ASCII characters without spaces (U+0021…U+007E)"
        case .ts:
            "an RFC 3339 UTC timestamp like \"2026-03-14T09:26:53.589Z\" (a real calendar date in years 0001…9999, "
                + "at most 9 fractional digits) or integer epoch milliseconds 0…\(Self.maxEpochMilliseconds)"
        case .producerSeq:
            "integer 0…\(Self.maxProducerSeq)"
        case .action:
            "one of " + ClickAction.allCases.map { "\"\($0.name)\"" }.joined(separator: ", ")
        case .category:
            "a string of 1…\(Self.maxCategoryBytes) printable ASCII characters (U+0020…U+007E)"
        case .amount:
            "integer minor currency units 0…\(Self.maxAmountMinor) (2999 means 29.99)"
        case .currency:
            "three upper-case letters A–Z (an ISO 4217 code such as \"USD\")"
        case .items:
            "integer \(Self.itemsRange.lowerBound)…\(Self.itemsRange.upperBound)"
        case .rating:
            "integer \(Self.ratingRange.lowerBound)…\(Self.ratingRange.upperBound)"
        }
    }

    /// The field a key names, whatever the event kind, or nil for a name no schema defines.
    static func named(_ key: UnsafeRawBufferPointer) -> EventField? {
        // Dispatch on length first: it separates most names, so a key is compared with at most two.
        switch key.count {
        case 2: return match(key, .ts)
        case 5: return match(key, .items)
        case 6: return match(key, .action) ?? match(key, .amount) ?? match(key, .rating)
        case 8: return match(key, .eventID) ?? match(key, .category) ?? match(key, .currency)
        case 10: return match(key, .productID) ?? match(key, .sessionID)
        case 11: return match(key, .customerID) ?? match(key, .producerID)
        case 12: return match(key, .producerSeq)
        default: return nil
        }
    }

    /// The field whose name follows the quote at `quote` in `payload`, without escapes and closed
    /// by a quote, and the offset of that closing quote: the key read in place, without scanning
    /// it as a string first. Nil for anything else, an unknown or escaped key among them, which
    /// the scanner then reads.
    static func named(quotedAt quote: Int, in payload: UnsafeRawBufferPointer) -> (field: EventField, end: Int)? {
        let start = quote + 1
        guard start < payload.count else { return nil }
        // Dispatch on the first letter: a key is compared with at most three names.
        switch payload[start] {
        case UInt8(ascii: "t"): return match(.ts, at: start, in: payload)
        case UInt8(ascii: "i"): return match(.items, at: start, in: payload)
        case UInt8(ascii: "r"): return match(.rating, at: start, in: payload)
        case UInt8(ascii: "e"): return match(.eventID, at: start, in: payload)
        case UInt8(ascii: "s"): return match(.sessionID, at: start, in: payload)
        case UInt8(ascii: "a"): return match(.action, at: start, in: payload) ?? match(.amount, at: start, in: payload)
        case UInt8(ascii: "c"):
            return match(.customerID, at: start, in: payload) ?? match(.category, at: start, in: payload)
                ?? match(.currency, at: start, in: payload)
        case UInt8(ascii: "p"):
            return match(.productID, at: start, in: payload) ?? match(.producerID, at: start, in: payload)
                ?? match(.producerSeq, at: start, in: payload)
        default: return nil
        }
    }

    /// `field` and the offset of its closing quote if its name and that quote stand at `start` in `payload`.
    @inline(__always)
    private static func match(_ field: EventField, at start: Int, in payload: UnsafeRawBufferPointer) -> (field: EventField, end: Int)? {
        let name = field.wireName
        let end = start + name.utf8CodeUnitCount
        guard end < payload.count, payload[end] == UInt8(ascii: "\""),
              UnsafeRawBufferPointer(rebasing: payload[start..<end]).hasSameBytes(as: name) else { return nil }
        return (field, end)
    }

    @inline(__always)
    private static func match(_ key: UnsafeRawBufferPointer, _ field: EventField) -> EventField? {
        key.hasSameBytes(as: field.wireName) ? field : nil
    }
}

extension DecodedEvent {
    /// Stores `range` as the value of `field`, one of the fields kept as text (the ids and
    /// `category`).
    @inline(__always)
    mutating func setText(_ range: TextRange, of field: EventField) {
        switch field {
        case .eventID: eventID = range
        case .customerID: customerID = range
        case .producerID: producerID = range
        case .productID: productID = range
        case .sessionID: sessionID = range
        case .category: category = range
        case .ts, .producerSeq, .action, .amount, .currency, .items, .rating:
            preconditionFailure("\(field) is not kept as text")
        }
    }
}
