import SegdDurability

/// A customer's lifetime state: when they were first and last seen and their running totals.
/// Stored by value in one array indexed by customer number; windowed state lives in
/// ``BucketLists``.
public struct CustomerProfile: Sendable, Equatable {
    /// Event time of the earliest and latest accepted event.
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// Event time of the latest and the first order, or `Int64.min` before the first.
    public var lastOrder: Int64 = .min
    public var firstOrder: Int64 = .min
    /// Event time of the latest click, which decides whether the next one starts a session, and
    /// of the latest add-to-cart.
    public var lastClick: Int64 = .min
    public var lastCart: Int64 = .min
    /// The purchase day before the latest one (days since 1970-01-01), or `Int64.min` below two.
    public var previousPurchaseDay: Int64 = .min
    public var spendMinor: Int64 = 0
    /// Spend on the first purchase day, which the spend model leaves out of the repeat spend.
    public var firstDaySpendMinor: Int64 = 0
    public var clicks: UInt32 = 0
    public var carts: UInt32 = 0
    public var orders: UInt32 = 0
    public var items: UInt32 = 0
    public var reviews: UInt32 = 0
    public var ratingSum: UInt32 = 0
    public var sessions: UInt32 = 0
    /// Distinct UTC days with any event, and with an order.
    public var activeDays: UInt32 = 0
    public var purchaseDays: UInt32 = 0
    /// P(alive) when the customer was last evaluated for a reason other than a timer, or last moved
    /// into or out of churn risk: the previous value churn alerts report.
    public var lastProbabilityAlive: Float = .nan
    /// The lowest rating ever given; 0 before the first review.
    public var minRating: UInt8 = 0
    /// Whether the customer is in the churn-risk state: `churn.risk` was published and no
    /// `churn.recovered` since.
    public var churnRisk = false

    public init(firstSeen: Int64) {
        self.firstSeen = firstSeen
        lastSeen = firstSeen
    }

    /// Whether a click at `time` opens a new session: the customer's first click, or one at least
    /// ``sessionGapMilliseconds`` after the latest. A click older than the latest (out of order)
    /// never opens one.
    public func startsSession(at time: Int64) -> Bool {
        lastClick == .min || time - lastClick >= Self.sessionGapMilliseconds
    }

    /// The inactivity after which a click starts a new session: 30 minutes, the common web-analytics convention.
    public static let sessionGapMilliseconds: Int64 = 30 * EventTime.millisecondsPerMinute

    /// Adds one accepted event to the lifetime totals. The flags say whether it opens a session,
    /// falls on a day with no earlier event, and (for orders) on a day with no earlier order.
    public mutating func record(_ event: DecodedEvent, startsSession: Bool, newActiveDay: Bool, newPurchaseDay: Bool) {
        firstSeen = min(firstSeen, event.timestamp)
        lastSeen = max(lastSeen, event.timestamp)
        if newActiveDay { activeDays &+= 1 }
        switch event.kind {
        case .click:
            clicks &+= 1
            if event.action == .addToCart { carts &+= 1 }
            if startsSession { sessions &+= 1 }
            lastClick = max(lastClick, event.timestamp)
            if event.action == .addToCart { lastCart = max(lastCart, event.timestamp) }
        case .order:
            orders &+= 1
            items &+= UInt32(truncatingIfNeeded: event.items)
            spendMinor &+= event.amountMinor
            let day = EventTime.day(event.timestamp)
            if firstOrder == .min || day < EventTime.day(firstOrder) {
                firstDaySpendMinor = event.amountMinor
            } else if day == EventTime.day(firstOrder) {
                firstDaySpendMinor &+= event.amountMinor
            }
            if newPurchaseDay { notePurchaseDay(day) }
            lastOrder = max(lastOrder, event.timestamp)
            firstOrder = firstOrder == .min ? event.timestamp : min(firstOrder, event.timestamp)
            if newPurchaseDay { purchaseDays &+= 1 }
        case .review:
            reviews &+= 1
            ratingSum &+= UInt32(event.rating)
            minRating = minRating == 0 ? event.rating : min(minRating, event.rating)
        }
    }

    /// The customer's purchases as the churn model reads them; no purchase before the first order.
    public var purchaseSummary: PurchaseSummary {
        guard firstOrder != .min else { return PurchaseSummary() }
        return PurchaseSummary(
            firstDay: EventTime.day(firstOrder), lastDay: EventTime.day(lastOrder), purchaseDays: Int(purchaseDays),
            firstDaySpendMinor: firstDaySpendMinor, totalSpendMinor: spendMinor)
    }

    /// Keeps ``previousPurchaseDay`` the second-latest purchase day, also when an order arrives
    /// out of order. Called before ``lastOrder`` takes the new order into account.
    private mutating func notePurchaseDay(_ day: Int64) {
        guard lastOrder != .min else { return }
        let latestDay = EventTime.day(lastOrder)
        if day > latestDay {
            previousPurchaseDay = latestDay
        } else if day > previousPurchaseDay {
            previousPurchaseDay = day
        }
    }
}

extension CustomerProfile {
    /// Many profiles as columns, one ``ColumnBlock`` per field width.
    struct Columns {
        private let times: ColumnBlock<Int64>
        private let counters: ColumnBlock<UInt32>
        private let bytes: ColumnBlock<UInt8>

        init(_ profiles: some RandomAccessCollection<CustomerProfile>) {
            times = ColumnBlock(profiles, columns: 9) { profile, row in
                row.put(profile.firstSeen)
                row.put(profile.lastSeen)
                row.put(profile.lastOrder)
                row.put(profile.firstOrder)
                row.put(profile.lastClick)
                row.put(profile.lastCart)
                row.put(profile.previousPurchaseDay)
                row.put(profile.spendMinor)
                row.put(profile.firstDaySpendMinor)
            }
            counters = ColumnBlock(profiles, columns: 10) { profile, row in
                row.put(profile.clicks)
                row.put(profile.carts)
                row.put(profile.orders)
                row.put(profile.items)
                row.put(profile.reviews)
                row.put(profile.ratingSum)
                row.put(profile.sessions)
                row.put(profile.activeDays)
                row.put(profile.purchaseDays)
                row.put(profile.lastProbabilityAlive.bitPattern)
            }
            bytes = ColumnBlock(profiles, columns: 2) { profile, row in
                row.put(profile.minRating)
                row.put(profile.churnRisk ? 1 : 0)
            }
        }

        init(reading reader: inout BinaryReader, count: Int) throws(DurabilityError) {
            times = try ColumnBlock(reading: &reader, rows: count, columns: 9, "profile times and spend")
            counters = try ColumnBlock(reading: &reader, rows: count, columns: 10, "profile counters")
            bytes = try ColumnBlock(reading: &reader, rows: count, columns: 2, "profile ratings and flags")
        }

        func encode(into writer: inout BinaryWriter) {
            times.encode(into: &writer)
            counters.encode(into: &writer)
            bytes.encode(into: &writer)
        }

        /// The profile at `row`, or nil when a flag is neither 0 nor 1.
        subscript(row: Int) -> CustomerProfile? {
            var profile = CustomerProfile(firstSeen: times[row, 0])
            profile.lastSeen = times[row, 1]
            profile.lastOrder = times[row, 2]
            profile.firstOrder = times[row, 3]
            profile.lastClick = times[row, 4]
            profile.lastCart = times[row, 5]
            profile.previousPurchaseDay = times[row, 6]
            profile.spendMinor = times[row, 7]
            profile.firstDaySpendMinor = times[row, 8]
            profile.clicks = counters[row, 0]
            profile.carts = counters[row, 1]
            profile.orders = counters[row, 2]
            profile.items = counters[row, 3]
            profile.reviews = counters[row, 4]
            profile.ratingSum = counters[row, 5]
            profile.sessions = counters[row, 6]
            profile.activeDays = counters[row, 7]
            profile.purchaseDays = counters[row, 8]
            profile.lastProbabilityAlive = Float(bitPattern: counters[row, 9])
            profile.minRating = bytes[row, 0]
            switch bytes[row, 1] {
            case 0: profile.churnRisk = false
            case 1: profile.churnRisk = true
            default: return nil
            }
            return profile
        }
    }

    static func encode(_ profiles: some RandomAccessCollection<CustomerProfile>, into writer: inout BinaryWriter) {
        Columns(profiles).encode(into: &writer)
    }

    static func decodeList(_ reader: inout BinaryReader, count: Int) throws(DurabilityError) -> ChunkedColumn<CustomerProfile> {
        let start = reader.position
        let columns = try Columns(reading: &reader, count: count)
        var profiles = ChunkedColumn<CustomerProfile>()
        for row in 0..<count {
            guard let profile = columns[row], profile.hasPossibleTimes else {
                throw reader.invalid("customer \(row)'s profile holds impossible times or flags", at: start)
            }
            profiles.append(profile)
        }
        return profiles
    }

    /// Whether the profile's event times are times events can carry, and a customer with an
    /// order has its time: features subtract them from the clock. What a decoded profile must be.
    var hasPossibleTimes: Bool {
        let days = EventTime.day(EventTime.storableRange.lowerBound)...EventTime.day(EventTime.storableRange.upperBound)
        return EventTime.isStorable(firstSeen, allowingNone: false) && EventTime.isStorable(lastSeen, allowingNone: false)
            && EventTime.isStorable(lastOrder, allowingNone: true) && EventTime.isStorable(firstOrder, allowingNone: true)
            && EventTime.isStorable(lastClick, allowingNone: true) && EventTime.isStorable(lastCart, allowingNone: true)
            && (previousPurchaseDay == .min || days.contains(previousPurchaseDay))
            && (lastOrder == .min) == (firstOrder == .min) && (orders == 0 || lastOrder != .min)
    }
}
