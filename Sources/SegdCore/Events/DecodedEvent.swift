/// A span of bytes inside ``EventDecoder/text``: the unescaped value of one string field of the
/// event decoded last. Ranges stay valid until the next call to `decode`.
public struct TextRange: Sendable, Equatable {
    public var start: Int32
    public var count: Int32

    public init(start: Int32, count: Int32) {
        self.start = start
        self.count = count
    }

    public static let empty = TextRange(start: 0, count: 0)

    /// The byte positions in ``EventDecoder/text`` this range covers.
    @inlinable
    public var indices: Range<Int> { Int(start)..<Int(start + count) }
}

/// Three upper-case ASCII letters (an ISO 4217 code) packed into one integer, so comparing and
/// storing a currency never allocates.
public struct CurrencyCode: Sendable, Hashable, CustomStringConvertible {
    public let packed: UInt32

    /// `bytes` must be three ASCII letters A–Z.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8) {
        packed = UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
    }

    /// Returns nil unless `code` is exactly three letters A–Z.
    public init?(_ code: String) {
        let bytes = Array(code.utf8)
        guard bytes.count == 3, bytes.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        self.init(bytes[0], bytes[1], bytes[2])
    }

    public var description: String {
        String(decoding: [UInt8(packed >> 16 & 0xFF), UInt8(packed >> 8 & 0xFF), UInt8(packed & 0xFF)], as: UTF8.self)
    }
}

/// One validated inbound event, as the decoder hands it to the engine. A plain value with no
/// references: string fields are ``TextRange``s into the decoder's text buffer, so decoding does not
/// allocate. Fields that do not belong to the event's kind hold their zero value.
public struct DecodedEvent: Sendable, Equatable {
    public var kind: EventKind
    /// Event time in milliseconds since the Unix epoch (UTC); sub-millisecond digits are truncated.
    public var timestamp: Int64
    public var eventID: TextRange
    public var customerID: TextRange

    /// Click: what was done.
    public var action: ClickAction
    /// Click and order: the optional product category; `nil` when absent.
    public var category: TextRange?
    /// Click and review: the optional product id; `nil` when absent.
    public var productID: TextRange?
    /// Click: the optional session id; `nil` when absent.
    public var sessionID: TextRange?

    /// Order: the amount in minor currency units (cents for USD).
    public var amountMinor: Int64
    /// Order: the ISO 4217 currency code.
    public var currency: CurrencyCode
    /// Order: the number of items (1 when absent).
    public var items: Int32

    /// Review: the rating, 1…5.
    public var rating: UInt8

    /// Optional producer identity and per-producer sequence number, for gap detection.
    public var producerID: TextRange?
    public var producerSeq: Int64?

    /// An event of `kind` with nothing decoded yet: what decoding starts from, and what a caller
    /// of ``EventDecoder/decode(topic:payload:into:)`` passes in (decoding overwrites it whole).
    public static func blank(_ kind: EventKind = .click) -> DecodedEvent {
        DecodedEvent(kind: kind, timestamp: 0, eventID: .empty, customerID: .empty)
    }

    public init(kind: EventKind, timestamp: Int64, eventID: TextRange, customerID: TextRange) {
        self.kind = kind
        self.timestamp = timestamp
        self.eventID = eventID
        self.customerID = customerID
        action = .view
        category = nil
        productID = nil
        sessionID = nil
        amountMinor = 0
        currency = CurrencyCode(0x55, 0x53, 0x44)
        items = 1
        rating = 0
        producerID = nil
        producerSeq = nil
    }
}

extension DecodedEvent {
    /// Shifts every text range by `offset`, for an event whose text was copied to `offset` in
    /// another buffer (events of a batch decoded on one thread and applied on another share one).
    public mutating func moveText(by offset: Int32) {
        mapText { TextRange(start: $0.start + offset, count: $0.count) }
    }

    /// Copies the event's strings out of `source`, the buffer its ranges point into, to the end of
    /// `text`, back to back, and points its ranges there.
    public mutating func copyStrings(from source: [UInt8], to text: inout [UInt8]) {
        mapText { range in
            defer { text.append(contentsOf: source[range.indices]) }
            return TextRange(start: Int32(text.count), count: range.count)
        }
    }

    /// Replaces every text range with `transform(range)`: the one place that lists them.
    private mutating func mapText(_ transform: (TextRange) -> TextRange) {
        eventID = transform(eventID)
        customerID = transform(customerID)
        category = category.map(transform)
        productID = productID.map(transform)
        sessionID = sessionID.map(transform)
        producerID = producerID.map(transform)
    }
}
