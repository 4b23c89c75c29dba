/// The repeat customers a Gamma-Gamma fit runs on: each one's number of repeat purchases x and
/// the mean spend m̄ of those purchases, in currency units. Owns the two arrays.
public struct SpendSample: Sendable {
    public private(set) var repeatPurchases: [Double] = []
    public private(set) var meanSpends: [Double] = []

    public init() {}

    /// Adds `summary`'s customer if they made a repeat purchase with positive spend: the model's
    /// density is over m̄ > 0, so a customer whose repeat purchases were all free says nothing to
    /// it. The mean is over repeat days only (the first purchase is left out, as in the note's
    /// CDNOW example), in major units: minor units / 100.
    public mutating func add(_ summary: PurchaseSummary) {
        let x = summary.repeatPurchases
        guard x > 0, summary.repeatSpendMinor > 0 else { return }
        repeatPurchases.append(Double(x))
        meanSpends.append(Double(summary.repeatSpendMinor) / 100 / Double(x))
    }

    /// Customers in the sample.
    public var customers: Int { repeatPurchases.count }
}
