public import SegdDurability

/// A customer's outlook under a ``ChurnModel`` at one instant.
public struct ChurnPrediction: Sendable, Equatable {
    /// P(alive): 1 for a customer with no repeat purchase (BG/NBD says nothing about them).
    public var probabilityAlive: Double
    /// Expected purchases (purchase days) within the horizon, eq. 10.
    public var expectedPurchases: Double
    /// Expected value of one future purchase in currency units; nil without a spend model or
    /// when it has no finite expectation.
    public var expectedOrderValue: Double?
    /// `expected_value` = ``expectedPurchases`` × ``expectedOrderValue``.
    public var expectedValue: Double?

    /// What the customer is expected to spend over the horizon if they are alive: the value lost
    /// if they have in fact churned, ``expectedValue`` / ``probabilityAlive``.
    public var valueAtRisk: Double? {
        expectedValue.map { probabilityAlive > 0 ? $0 / probabilityAlive : .nan }
    }
}

/// The fitted churn model the engine runs: BG/NBD for purchases, Gamma-Gamma for spend when it
/// could be fitted, the unit both were fitted in, and how long a one-time buyer (about whom
/// BG/NBD says nothing) may stay inactive. Turns a ``PurchaseSummary`` (kept in days) into
/// predictions and into the event time its P(alive) will fall to a threshold, for a timer.
public struct ChurnModel: Sendable, Equatable {
    public var purchases: BGNBDParameters
    public var spend: GammaGammaParameters?
    public var unit: ChurnTimeUnit
    /// Days after the start of their purchase day at which a one-time buyer counts as at risk:
    /// a quantile of the population's gaps between consecutive purchase days
    /// (``InterpurchaseGaps``). Nil when unknown, and then one-time buyers are never judged.
    public var oneTimeBuyerDays: Double?

    public init(purchases: BGNBDParameters, spend: GammaGammaParameters?, unit: ChurnTimeUnit, oneTimeBuyerDays: Double? = nil) {
        self.purchases = purchases
        self.spend = spend
        self.unit = unit
        self.oneTimeBuyerDays = oneTimeBuyerDays
    }

    /// The outlook of a customer judged on UTC day `day` over the next `horizon` (in ``unit``);
    /// nil before their first purchase, when they are not a customer of the model yet.
    public func prediction(for summary: PurchaseSummary, onDay day: Int64, horizon: Double) -> ChurnPrediction? {
        prediction(for: summary, ageDays: Double(summary.ageDays(onDay: day)), horizon: horizon)
    }

    /// The outlook of a customer at age `ageDays` (``PurchaseSummary/ageDays(at:)``) over the
    /// next `horizon` (in ``unit``); nil before their first purchase.
    public func prediction(for summary: PurchaseSummary, ageDays: Double, horizon: Double) -> ChurnPrediction? {
        guard summary.purchaseDays > 0 else { return nil }
        let observation = summary.observation(ageDays: ageDays, unit: unit)
        let expectedPurchases = purchases.expectedPurchases(in: horizon, observation)
        let orderValue = expectedOrderValue(summary)
        return ChurnPrediction(
            probabilityAlive: purchases.probabilityAlive(observation),
            expectedPurchases: expectedPurchases,
            expectedOrderValue: orderValue,
            expectedValue: orderValue.map { $0 * expectedPurchases })
    }

    /// P(alive) of a customer with a purchase at age `ageDays`.
    public func probabilityAlive(_ summary: PurchaseSummary, ageDays: Double) -> Double {
        purchases.probabilityAlive(summary.observation(ageDays: ageDays, unit: unit))
    }

    /// Expected purchases of a customer with a purchase over `horizon` (in ``unit``) at age `ageDays`.
    public func expectedPurchases(_ summary: PurchaseSummary, ageDays: Double, horizon: Double) -> Double {
        purchases.expectedPurchases(in: horizon, summary.observation(ageDays: ageDays, unit: unit))
    }

    /// The Gamma-Gamma expected value of one future purchase, in currency units.
    public func expectedOrderValue(_ summary: PurchaseSummary) -> Double? {
        let x = summary.repeatPurchases
        let meanSpend = x > 0 ? Double(summary.repeatSpendMinor) / 100 / Double(x) : 0
        return spend?.expectedAverageOrderValue(repeatPurchases: x, meanSpend: meanSpend)
    }

    /// The event time (epoch milliseconds) at which the customer's P(alive) falls to
    /// `threshold`, rounded up to the next millisecond, if no purchase comes first: ages count
    /// from the start (00:00 UTC) of the first purchase day, so at 00:00 of day D the age is
    /// D − first day, the same T the fit used. Nil when it never falls that low (see
    /// ``BGNBDParameters/ageWhenProbabilityAlive(fallsTo:frequency:recency:)``) or only after
    /// the latest event time segd accepts (year 9999). The time may already be past, when P(alive)
    /// was at most `threshold` right after the last purchase; it is never before 00:00 of the last
    /// purchase day, since T* ≥ t_x.
    public func probabilityAliveCrossingTime(for summary: PurchaseSummary, threshold: Double) -> Int64? {
        guard summary.purchaseDays > 0,
              let age = purchases.ageWhenProbabilityAlive(
                fallsTo: threshold, frequency: summary.repeatPurchases,
                recency: Double(summary.recencyDays) / unit.days)
        else { return nil }
        return Self.instant(ofAgeDays: age * unit.days, summary)
    }

    /// The event time at which a one-time buyer has been inactive for ``oneTimeBuyerDays``; nil
    /// for anyone else or without that limit.
    public func oneTimeBuyerInactiveTime(for summary: PurchaseSummary) -> Int64? {
        guard summary.purchaseDays == 1, let days = oneTimeBuyerDays else { return nil }
        return Self.instant(ofAgeDays: days, summary)
    }

    /// The first millisecond at which the customer is at least `ageDays` old; nil past year 9999.
    static func instant(ofAgeDays ageDays: Double, _ summary: PurchaseSummary) -> Int64? {
        let milliseconds = (ageDays * Double(EventTime.millisecondsPerDay)).rounded(.up)
        let start = Int64(summary.firstDay) * EventTime.millisecondsPerDay
        guard milliseconds <= Double(EventField.maxEpochMilliseconds - start) else { return nil }
        return start + Int64(milliseconds)
    }
}

extension ChurnModel {
    public func encode(into writer: inout BinaryWriter) {
        purchases.encode(into: &writer)
        writer.write(optional: spend) { writer, spend in spend.encode(into: &writer) }
        writer.write(unit.rawValue)
        writer.write(optional: oneTimeBuyerDays) { writer, days in writer.write(days) }
    }

    public init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let purchases = try BGNBDParameters(decoding: &reader)
        let spend = try reader.readOptional { reader throws(DurabilityError) in try GammaGammaParameters(decoding: &reader) }
        let unitAt = reader.position
        let unitName = try reader.readString()
        guard let unit = ChurnTimeUnit(rawValue: unitName) else {
            throw reader.invalid("churn model unit \"\(unitName)\" is not one of \(ChurnTimeUnit.allCases.map(\.rawValue))", at: unitAt)
        }
        let daysAt = reader.position
        let oneTimeBuyerDays = try reader.readOptional { reader throws(DurabilityError) in try reader.readDouble() }
        // The limit becomes an instant (``instant(ofAgeDays:_:)``), which needs a finite, non-negative age.
        if let oneTimeBuyerDays, !(oneTimeBuyerDays >= 0 && oneTimeBuyerDays.isFinite) {
            throw reader.invalid("one-time buyer limit \(oneTimeBuyerDays) days is not a finite number of days ≥ 0", at: daysAt)
        }
        self.init(purchases: purchases, spend: spend, unit: unit, oneTimeBuyerDays: oneTimeBuyerDays)
    }
}
