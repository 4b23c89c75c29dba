import Glibc

/// The special functions the churn models are written in: ln Γ, its derivative ψ (digamma) and
/// Gauss's hypergeometric function ₂F₁. Each is stated for the arguments the models give it
/// (positive reals, and 0 ≤ z < 1 for ₂F₁); no state, safe from any thread.
enum SpecialFunctions {
    /// ln Γ(x) for x > 0. glibc's `lgamma` writes the sign to the global `signgam`, a data race
    /// when two fits run at once; `lgamma_r` hands it back instead.
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// ψ(x) = d ln Γ(x) / dx for x > 0. The recurrence ψ(x) = ψ(x + 1) − 1/x lifts the argument
    /// to at least 10, where the asymptotic series (Abramowitz & Stegun 6.3.18)
    /// ψ(x) ≈ ln x − 1/(2x) − Σₙ B₂ₙ / (2n x²ⁿ), cut after the x⁻¹² term, errs by less than its
    /// first omitted term, 1/(12 x¹⁴) < 1e-15; rounding in the recurrence leaves the result within
    /// a few parts in 1e15.
    static func digamma(_ x: Double) -> Double {
        var x = x
        var shift = 0.0
        while x < 10 {
            shift -= 1 / x
            x += 1
        }
        let inverseSquare = 1 / (x * x)
        // −B₂ₙ/(2n) for n = 1…6, applied by Horner's rule in 1/x².
        let tail = inverseSquare * (-1.0 / 12 + inverseSquare * (1.0 / 120 + inverseSquare * (-1.0 / 252
            + inverseSquare * (1.0 / 240 + inverseSquare * (-1.0 / 132 + inverseSquare * (691.0 / 32_760))))))
        return shift + log(x) - 0.5 / x + tail
    }

    /// The most series terms ``hypergeometric2F1(_:_:_:_:)`` adds. The terms behave like
    /// n^(a+b−c−1) zⁿ, rising before they fall; for BG/NBD's ₂F₁ at the CDNOW estimates, z = 0.99
    /// takes 2,700 terms for x = 0 and 19,000 for x = 100, z = 0.999 from 25,000 to 186,000.
    static let hypergeometricTermLimit = 100_000

    /// Gauss's hypergeometric function ₂F₁(a, b; c; z) = Σₙ (a)ₙ (b)ₙ / ((c)ₙ n!) zⁿ for
    /// 0 ≤ z < 1, summed from its defining series, which converges only for |z| < 1. BG/NBD's
    /// conditional expectation (Fader, Hardie & Lee 2005, eq. 10) already writes its ₂F₁ at
    /// z = t / (α + T + t), which is in [0, 1) for every horizon t ≥ 0, so no transformation is
    /// needed to land inside the disc. Terms are added until one changes the sum by less than
    /// 1e-15 relative; NaN when ``hypergeometricTermLimit`` terms are not enough (z = 0.99 is a
    /// horizon 99 times α + T; z = 0.999 can be too close to 1), or when c is 0, −1, −2, …
    static func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        var term = 1.0
        var sum = 1.0
        for n in 0..<hypergeometricTermLimit {
            let k = Double(n)
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
            sum += term
            if abs(term) <= 1e-15 * abs(sum) { return sum }
            if !sum.isFinite { return .nan }
        }
        return .nan
    }
}
