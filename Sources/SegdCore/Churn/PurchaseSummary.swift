/// One customer's purchases as the churn models see them, updated one order at a time: the first
/// and last purchase day, how many distinct days had a purchase, and spend. The engine keeps one
/// per customer (a flat value, 32 bytes) and `segd fit` builds them from a file of orders.
///
/// Conventions, the ones that reproduce Fader, Hardie & Lee (2005) on CDNOW:
/// - a purchase is a distinct (customer, UTC day): several orders on one day are one purchase
///   whose spend is their sum;
/// - the repeat frequency x counts purchase days after the first (the first day is not a repeat);
/// - recency t_x = last purchase day − first purchase day;
/// - age T = the day the customer is judged on − first purchase day (that day itself, no +1);
/// - all three in days, divided by 7 for weeks.
///
/// The summary does not remember the days in between, so a day strictly between the first and
/// the last is counted as a new purchase day: exact when orders arrive in day order (as the
/// engine's event-time clock delivers them, and as `segd fit` sorts them), an over-count only for
/// an order that arrives more than a day late on a day that already had one.
public struct PurchaseSummary: Sendable, Equatable {
    /// UTC day number (days since 1970-01-01) of the first purchase; meaningless while ``purchaseDays`` is 0.
    public private(set) var firstDay: Int32
    /// UTC day number of the last purchase.
    public private(set) var lastDay: Int32
    /// How many distinct days had a purchase: 0 for a customer who never bought.
    public private(set) var purchaseDays: Int32
    /// Spend on the first purchase day, in minor currency units.
    public private(set) var firstDaySpendMinor: Int64
    /// Spend on all purchase days, in minor currency units.
    public private(set) var totalSpendMinor: Int64

    /// A customer with no purchase yet.
    public init() {
        firstDay = 0
        lastDay = 0
        purchaseDays = 0
        firstDaySpendMinor = 0
        totalSpendMinor = 0
    }

    /// A summary of known values, as the engine keeps them in its customer profiles.
    public init(firstDay: Int64, lastDay: Int64, purchaseDays: Int, firstDaySpendMinor: Int64, totalSpendMinor: Int64) {
        self.firstDay = Int32(truncatingIfNeeded: firstDay)
        self.lastDay = Int32(truncatingIfNeeded: lastDay)
        self.purchaseDays = Int32(truncatingIfNeeded: purchaseDays)
        self.firstDaySpendMinor = firstDaySpendMinor
        self.totalSpendMinor = totalSpendMinor
    }

    /// Records an order of `amountMinor` on UTC day `day` (``EventTime/day(_:)`` of its time;
    /// the decoder's time bounds keep it within `Int32`). Returns whether `day` is a new purchase day.
    @discardableResult
    public mutating func record(day: Int64, amountMinor: Int64) -> Bool {
        let day = Int32(day)
        // Wraps rather than traps, like the engine's spend: reaching Int64.max takes 92 million
        // orders of the largest amount the schema allows.
        totalSpendMinor &+= amountMinor
        guard purchaseDays > 0 else {
            firstDay = day
            lastDay = day
            purchaseDays = 1
            firstDaySpendMinor = amountMinor
            return true
        }
        if day == firstDay {
            firstDaySpendMinor &+= amountMinor
            return false
        }
        if day == lastDay { return false }
        if day < firstDay {
            // The old first day becomes a repeat purchase; its spend moves into the repeat spend.
            firstDay = day
            firstDaySpendMinor = amountMinor
        } else if day > lastDay {
            lastDay = day
        }
        purchaseDays += 1
        return true
    }

    /// x: purchase days after the first.
    public var repeatPurchases: Int { max(Int(purchaseDays) - 1, 0) }

    /// Spend on the repeat purchase days, in minor currency units.
    public var repeatSpendMinor: Int64 { totalSpendMinor &- firstDaySpendMinor }

    /// t_x in days: last purchase day − first purchase day.
    public var recencyDays: Int64 { Int64(lastDay) - Int64(firstDay) }

    /// T in days on UTC day `day`: `day` − first purchase day. A `day` before the last purchase
    /// (the engine's clock trails the newest event by the allowed lateness) counts as the last
    /// purchase day, since the model has no customer younger than their recency.
    public func ageDays(onDay day: Int64) -> Int64 { max(day, Int64(lastDay)) - Int64(firstDay) }

    /// T in days at event time `time`, counted from 00:00 UTC of the first purchase day with the
    /// fraction of a day: on the hour 00:00 of day D it is D − first day, the T of
    /// ``ageDays(onDay:)``, and in between it grows continuously, so P(alive) falls smoothly and
    /// the instant it crosses a threshold is exact. Never below the recency.
    public func ageDays(at time: Int64) -> Double {
        let start = Int64(firstDay) * EventTime.millisecondsPerDay
        return max(Double(time - start) / Double(EventTime.millisecondsPerDay), Double(recencyDays))
    }

    /// (x, t_x, T) in `unit` on UTC day `day`. The customer must have a purchase.
    public func observation(onDay day: Int64, unit: ChurnTimeUnit) -> BGNBDObservation {
        observation(ageDays: Double(ageDays(onDay: day)), unit: unit)
    }

    /// (x, t_x, T) in `unit` for an age of `ageDays` (at least the recency).
    public func observation(ageDays: Double, unit: ChurnTimeUnit) -> BGNBDObservation {
        BGNBDObservation(frequency: repeatPurchases, recency: Double(recencyDays) / unit.days, age: ageDays / unit.days)
    }
}
