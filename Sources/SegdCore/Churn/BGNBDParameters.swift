import Glibc
import SegdDurability

/// The four parameters of the BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers
/// the Easy Way"), all positive: while alive a customer buys as a Poisson process whose rate λ is
/// gamma(r, α) across customers, and after each purchase drops out with a probability p that is
/// beta(a, b) across customers. α is in the model's time unit; r, a and b have none.
///
/// The per-customer formulas live here; fitting them to a population is ``BGNBDFitter``'s job.
public struct BGNBDParameters: Sendable, Equatable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    /// The log of the likelihood of one customer's (x, t_x, T), eq. 6:
    ///
    ///     L = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^(r+x))
    ///       + δ(x>0) · B(a+1, b+x−1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+t_x)^(r+x))
    ///
    /// computed as ln L = A₁ + A₂ + ln(e^A₃ + δ(x>0) e^A₄) with
    /// A₁ = ln Γ(r+x) − ln Γ(r) + r ln α, A₂ = ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x),
    /// A₃ = −(r+x) ln(α+T) and A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x), the larger exponent
    /// factored out of the sum so that neither term underflows for frequent buyers.
    public func logLikelihood(_ customer: BGNBDObservation) -> Double {
        let x = Double(customer.frequency)
        let a1 = SpecialFunctions.logGamma(r + x) - SpecialFunctions.logGamma(r) + r * log(alpha)
        let a2 = SpecialFunctions.logGamma(a + b) + SpecialFunctions.logGamma(b + x)
            - SpecialFunctions.logGamma(b) - SpecialFunctions.logGamma(a + b + x)
        let a3 = -(r + x) * log(alpha + customer.age)
        guard customer.frequency > 0 else { return a1 + a2 + a3 }
        let a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + customer.recency)
        return a1 + a2 + Self.logSumExp(a3, a4)
    }

    /// P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)), from Fader,
    /// Hardie & Lee's note "Computing P(alive) Using the BG/NBD Model" (eq. 10's denominator is its
    /// reciprocal). 1 for x = 0: the model lets customers drop out only right after a
    /// repeat purchase, so one who never repeated is certainly alive — BG/NBD says nothing useful
    /// about them, and the engine judges them by inactivity instead.
    public func probabilityAlive(_ customer: BGNBDObservation) -> Double {
        guard customer.frequency > 0 else { return 1 }
        return 1 / (1 + exp(logOddsDead(customer)))
    }

    /// ln of δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x), the odds against being alive, for x > 0.
    private func logOddsDead(_ customer: BGNBDObservation) -> Double {
        let x = Double(customer.frequency)
        return log(a / (b + x - 1)) + (r + x) * log((alpha + customer.age) / (alpha + customer.recency))
    }

    /// E[Y(t) | x, t_x, T], the expected number of purchases in the next `horizon` t, eq. 10:
    ///
    ///     (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
    ///     ─────────────────────────────────────────────────────────────────────────────────
    ///                  1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)
    ///
    /// The ₂F₁ argument t/(α+T+t) is below 1 for any horizon, where its series converges
    /// (``SpecialFunctions/hypergeometric2F1(_:_:_:_:)``); NaN for a horizon so long that it
    /// converges too slowly (hundreds of times α + T). The formula is 0/0 at a = 1 exactly, so
    /// within 1e-7 of it this returns the mean of the values at a = 1 ± 1e-7, whose first-order
    /// errors cancel.
    public func expectedPurchases(in horizon: Double, _ customer: BGNBDObservation) -> Double {
        guard abs(a - 1) < 1e-7 else { return conditionalExpectation(horizon, customer) }
        var below = self
        below.a = 1 - 1e-7
        var above = self
        above.a = 1 + 1e-7
        return (below.conditionalExpectation(horizon, customer) + above.conditionalExpectation(horizon, customer)) / 2
    }

    private func conditionalExpectation(_ horizon: Double, _ customer: BGNBDObservation) -> Double {
        let x = Double(customer.frequency)
        let base = alpha + customer.age
        let z = horizon / (base + horizon)
        let hypergeometric = SpecialFunctions.hypergeometric2F1(r + x, b + x, a + b + x - 1, z)
        let numerator = (a + b + x - 1) / (a - 1) * (1 - exp((r + x) * log(base / (base + horizon))) * hypergeometric)
        return numerator * probabilityAlive(customer)
    }

    /// The age T at which P(alive) of a customer with frequency x and recency t_x falls to
    /// `threshold` θ: the earliest T ≥ t_x with P(alive) ≤ θ. P(alive) falls strictly with T, so
    /// solving 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) = θ gives
    /// T* = (α+t_x) · ((1−θ)/θ · (b+x−1)/a)^(1/(r+x)) − α, or t_x when P(alive) is at most θ
    /// already at the last purchase. Nil when it never falls that low: x = 0 (P(alive) = 1),
    /// θ ≤ 0, or a T* beyond what a Double holds.
    public func ageWhenProbabilityAlive(fallsTo threshold: Double, frequency: Int, recency: Double) -> Double? {
        guard frequency > 0, threshold > 0 else { return nil }
        guard threshold < 1 else { return recency }
        let x = Double(frequency)
        let logRatio = (log((1 - threshold) / threshold) - log(a / (b + x - 1))) / (r + x)
        guard logRatio > 0 else { return recency }
        let age = (alpha + recency) * exp(logRatio) - alpha
        guard age.isFinite else { return nil }
        return max(age, recency)
    }

    /// ln(eᵘ + eᵛ) without overflow or underflow.
    static func logSumExp(_ u: Double, _ v: Double) -> Double {
        let larger = max(u, v)
        return larger + log1p(exp(min(u, v) - larger))
    }
}

extension BGNBDParameters {
    func encode(into writer: inout BinaryWriter) {
        for parameter in [r, alpha, a, b] { writer.write(parameter) }
    }

    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let start = reader.position
        self.init(r: try reader.readDouble(), alpha: try reader.readDouble(), a: try reader.readDouble(), b: try reader.readDouble())
        guard [r, alpha, a, b].allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw reader.invalid("BG/NBD parameters r \(r), alpha \(alpha), a \(a), b \(b) must all be positive and finite", at: start)
        }
    }
}
