/// A customer's outlook under a ``ChurnModel`` on one day.
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
}

/// The fitted churn model the engine runs: BG/NBD for purchases, Gamma-Gamma for spend when it
/// could be fitted, and the unit both were fitted in. Turns a ``PurchaseSummary`` (kept in days)
/// into predictions and into the event time its P(alive) will fall to a threshold, for a timer.
public struct ChurnModel: Sendable, Equatable {
    public var purchases: BGNBDParameters
    public var spend: GammaGammaParameters?
    public var unit: ChurnTimeUnit

    public init(purchases: BGNBDParameters, spend: GammaGammaParameters?, unit: ChurnTimeUnit) {
        self.purchases = purchases
        self.spend = spend
        self.unit = unit
    }

    /// The outlook of a customer judged on UTC day `day` over the next `horizon` (in ``unit``);
    /// nil before their first purchase, when they are not a customer of the model yet.
    public func prediction(for summary: PurchaseSummary, onDay day: Int64, horizon: Double) -> ChurnPrediction? {
        guard summary.purchaseDays > 0 else { return nil }
        let observation = summary.observation(onDay: day, unit: unit)
        let expectedPurchases = purchases.expectedPurchases(in: horizon, observation)
        let x = summary.repeatPurchases
        let meanSpend = x > 0 ? Double(summary.repeatSpendMinor) / 100 / Double(x) : 0
        let orderValue = spend?.expectedAverageOrderValue(repeatPurchases: x, meanSpend: meanSpend)
        return ChurnPrediction(
            probabilityAlive: purchases.probabilityAlive(observation),
            expectedPurchases: expectedPurchases,
            expectedOrderValue: orderValue,
            expectedValue: orderValue.map { $0 * expectedPurchases })
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
        let milliseconds = (age * unit.days * Double(EventTime.millisecondsPerDay)).rounded(.up)
        let start = Int64(summary.firstDay) * EventTime.millisecondsPerDay
        guard milliseconds <= Double(EventField.maxEpochMilliseconds - start) else { return nil }
        return start + Int64(milliseconds)
    }
}
