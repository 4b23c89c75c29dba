import SegdDurability

/// The three parameters of the Gamma-Gamma model of spend (Fader, Hardie & Lee 2005, "RFM and
/// CLV: Using Iso-Value Curves for Customer Base Analysis"; Fader & Hardie, "The Gamma-Gamma Model
/// of Monetary Value"), all positive: the value of each of a customer's purchases is gamma(p, ν),
/// and the scale ν is gamma(q, γ) across customers. γ is in currency units; p and q have none.
///
/// The model assumes spend is independent of the purchase process, so it is fitted apart from
/// BG/NBD, on repeat customers only (``GammaGammaFitter``).
public struct GammaGammaParameters: Sendable, Equatable {
    public var p: Double
    public var q: Double
    public var gamma: Double

    public init(p: Double, q: Double, gamma: Double) {
        self.p = p
        self.q = q
        self.gamma = gamma
    }

    /// E[M | p, q, γ; m̄, x], the expected value of a customer's future purchases given the mean
    /// m̄ of their x past ones (the note's eq. 5): a weighted mean of the population mean pγ/(q−1)
    /// and the customer's own m̄,
    ///
    ///     (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m̄  =  p (γ + x m̄) / (px + q − 1).
    ///
    /// With x = 0 (no repeat purchase yet) it is the population mean. Nil when px + q ≤ 1, where
    /// the expectation is infinite (for x = 0, any q ≤ 1).
    public func expectedAverageOrderValue(repeatPurchases x: Int, meanSpend: Double) -> Double? {
        let px = p * Double(x)
        guard px + q > 1 else { return nil }
        return p * (gamma + Double(x) * meanSpend) / (px + q - 1)
    }
}

extension GammaGammaParameters {
    func encode(into writer: inout BinaryWriter) {
        for parameter in [p, q, gamma] { writer.write(parameter) }
    }

    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let start = reader.position
        self.init(p: try reader.readDouble(), q: try reader.readDouble(), gamma: try reader.readDouble())
        guard [p, q, gamma].allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw reader.invalid("Gamma-Gamma parameters p \(p), q \(q), gamma \(gamma) must all be positive and finite", at: start)
        }
    }
}
