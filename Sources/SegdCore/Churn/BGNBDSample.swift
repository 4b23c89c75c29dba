/// The customers a BG/NBD fit is run on, grouped: customers with the same (x, t_x, T) in whole
/// days contribute identical terms to the likelihood, so each distinct triple is kept once with
/// its count. CDNOW's 23,570 customers make 11,104 distinct triples over their 78 weeks.
///
/// Owns the counts only; ``BGNBDLikelihood`` lays them out for evaluation.
public struct BGNBDSample: Sendable {
    /// (x, t_x, T) in whole days, the key customers are grouped by.
    struct Pattern: Hashable {
        var frequency: Int32
        var recencyDays: Int32
        var ageDays: Int32
    }

    public let unit: ChurnTimeUnit
    private(set) var counts: [Pattern: Int] = [:]
    /// How many customers were added.
    public private(set) var customers = 0
    /// How many of them made at least one repeat purchase (x > 0).
    public private(set) var repeatCustomers = 0
    /// Σ x over all customers.
    public private(set) var totalRepeatPurchases = 0
    /// Σ T over all customers, in days.
    public private(set) var totalAgeDays = 0

    public init(unit: ChurnTimeUnit) {
        self.unit = unit
    }

    /// Adds a customer judged on UTC day `day` (the calibration end day); a summary without a
    /// purchase is not a customer of the model and is skipped.
    public mutating func add(_ summary: PurchaseSummary, onDay day: Int64) {
        guard summary.purchaseDays > 0 else { return }
        let pattern = Pattern(
            frequency: Int32(summary.repeatPurchases),
            recencyDays: Int32(summary.recencyDays),
            ageDays: Int32(summary.ageDays(onDay: day)))
        counts[pattern, default: 0] += 1
        customers += 1
        if pattern.frequency > 0 { repeatCustomers += 1 }
        totalRepeatPurchases += Int(pattern.frequency)
        totalAgeDays += Int(pattern.ageDays)
    }

    /// How many distinct (x, t_x, T) triples the customers make.
    public var distinctPatterns: Int { counts.count }
}
