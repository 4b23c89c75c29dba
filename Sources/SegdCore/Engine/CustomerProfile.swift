/// A customer's lifetime state: when they were first and last seen and their running totals.
/// Stored by value in one array indexed by customer number; windowed state lives in
/// ``BucketLists``.
public struct CustomerProfile: Sendable, Equatable {
    /// Event time of the earliest and latest accepted event.
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Event time of the latest order, or `Int64.min` before the first.
    public var lastOrder: Int64 = .min
    public var spendMinor: Int64 = 0
    public var clicks: UInt32 = 0
    public var carts: UInt32 = 0
    public var orders: UInt32 = 0
    public var items: UInt32 = 0
    public var reviews: UInt32 = 0
    public var ratingSum: UInt32 = 0
    /// The lowest rating ever given; 0 before the first review.
    public var minRating: UInt8 = 0

    public init(firstSeen: Int64) {
        self.firstSeen = firstSeen
        lastSeen = firstSeen
    }

    /// Adds one accepted event to the lifetime totals.
    public mutating func record(_ event: DecodedEvent) {
        firstSeen = min(firstSeen, event.timestamp)
        lastSeen = max(lastSeen, event.timestamp)
        switch event.kind {
        case .click:
            clicks &+= 1
            if event.action == .addToCart { carts &+= 1 }
        case .order:
            orders &+= 1
            items &+= UInt32(truncatingIfNeeded: event.items)
            spendMinor &+= event.amountMinor
            lastOrder = max(lastOrder, event.timestamp)
        case .review:
            reviews &+= 1
            ratingSum &+= UInt32(event.rating)
            minRating = minRating == 0 ? event.rating : min(minRating, event.rating)
        }
    }
}
