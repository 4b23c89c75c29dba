/// What one customer did within one time bucket (a UTC hour or a UTC day). Rolling-window features
/// are sums over a customer's buckets, so this is the unit of windowed state. 32 bytes; counters
/// that cannot plausibly overflow in one bucket are narrow and saturate instead of trapping.
public struct ActivityBucket: Sendable, Equatable {
    /// The hour or day number (since 1970-01-01T00:00Z) this bucket covers.
    public var index: Int32
    public var clicks: UInt32 = 0
    public var carts: UInt16 = 0
    public var orders: UInt16 = 0
    public var items: UInt32 = 0
    /// Order amounts in minor units of the engine's currency; integer so sums never depend on order.
    public var spendMinor: Int64 = 0
    public var reviews: UInt16 = 0
    public var ratingSum: UInt16 = 0
    /// The lowest rating in the bucket; 0 when it holds no review.
    public var minRating: UInt8 = 0
    /// Click sessions that started in this bucket.
    public var sessions: UInt16 = 0

    public init(index: Int32) {
        self.index = index
    }

    /// Adds one accepted event to this bucket; `startsSession` when it is a click that opens a session.
    public mutating func record(_ event: DecodedEvent, startsSession: Bool) {
        switch event.kind {
        case .click:
            clicks &+= 1
            if startsSession { sessions = sessions.saturatingIncrement(by: 1) }
            if event.action == .addToCart { carts = carts.saturatingIncrement(by: 1) }
        case .order:
            orders = orders.saturatingIncrement(by: 1)
            items &+= UInt32(truncatingIfNeeded: event.items)
            spendMinor &+= event.amountMinor
        case .review:
            reviews = reviews.saturatingIncrement(by: 1)
            ratingSum = ratingSum.saturatingIncrement(by: UInt16(event.rating))
            minRating = minRating == 0 ? event.rating : min(minRating, event.rating)
        }
    }
}

extension FixedWidthInteger where Self: UnsignedInteger {
    @inlinable
    func saturatingIncrement(by amount: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(amount)
        return overflow ? .max : sum
    }
}
