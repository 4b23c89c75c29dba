/// One customer as BG/NBD sees them (Fader, Hardie & Lee 2005): repeat frequency x,
/// recency t_x and age T, the last two in one ``ChurnTimeUnit``. ``PurchaseSummary`` states how
/// they are counted from orders.
public struct BGNBDObservation: Sendable, Hashable {
    /// x: repeat purchases (purchase days after the first).
    public var frequency: Int
    /// t_x: time from the first purchase to the last; 0 when x = 0.
    public var recency: Double
    /// T: time from the first purchase to the moment the customer is judged; at least t_x.
    public var age: Double

    public init(frequency: Int, recency: Double, age: Double) {
        self.frequency = frequency
        self.recency = recency
        self.age = age
    }
}
