import Glibc

/// The Gamma-Gamma log-likelihood of a whole ``SpendSample`` and its gradient, in closed form, as
/// functions of the log-parameters (ln p, ln q, ln γ) that ``GammaGammaFitter`` optimizes over.
/// Per customer, the log of the density of the mean spend m̄ of x purchases (the note's eq. 1a:
/// x m̄ is the sum of x gamma(p, ν) values, with ν ~ gamma(q, γ) integrated out) is
///
///     ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + x m̄)
///
/// with the partial derivatives
///
///     ∂ℓ/∂p = x [ψ(px+q) − ψ(px) + ln m̄ + ln x − ln(γ + x m̄)]
///     ∂ℓ/∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ + x m̄)
///     ∂ℓ/∂γ = q/γ − (px+q)/(γ + x m̄)
///
/// and ∂/∂ln θ = θ ∂/∂θ; the total is the sum over customers. Owns the sample's values and the
/// logarithms that do not depend on the parameters; immutable once built.
struct GammaGammaLikelihood: Sendable {
    private let repeatPurchases: [Double]
    private let logMeans: [Double]
    private let logRepeatPurchases: [Double]
    /// x m̄, each customer's total repeat spend.
    private let totals: [Double]

    init(_ sample: SpendSample) {
        repeatPurchases = sample.repeatPurchases
        logMeans = sample.meanSpends.map { log($0) }
        logRepeatPurchases = sample.repeatPurchases.map { log($0) }
        totals = zip(sample.repeatPurchases, sample.meanSpends).map { $0 * $1 }
    }

    /// The total log-likelihood at `parameters`, and into `gradient` (3 elements) its gradient
    /// with respect to their logarithms. Non-finite when the parameters overflow.
    func evaluate(_ parameters: GammaGammaParameters, gradient: inout [Double]) -> Double {
        let (p, q, gamma) = (parameters.p, parameters.q, parameters.gamma)
        let logGammaQ = SpecialFunctions.logGamma(q)
        let digammaQ = SpecialFunctions.digamma(q)
        let logScale = log(gamma)
        var total = 0.0
        var (dp, dq, dGamma) = (0.0, 0.0, 0.0)
        for index in repeatPurchases.indices {
            let x = repeatPurchases[index]
            let px = p * x
            let logSum = log(gamma + totals[index])
            let digammaPXQ = SpecialFunctions.digamma(px + q)
            total += SpecialFunctions.logGamma(px + q) - SpecialFunctions.logGamma(px) - logGammaQ + q * logScale
                + (px - 1) * logMeans[index] + px * logRepeatPurchases[index] - (px + q) * logSum
            dp += x * (digammaPXQ - SpecialFunctions.digamma(px) + logMeans[index] + logRepeatPurchases[index] - logSum)
            dq += digammaPXQ - digammaQ + logScale - logSum
            dGamma += q / gamma - (px + q) / (gamma + totals[index])
        }
        gradient[0] = dp * p
        gradient[1] = dq * q
        gradient[2] = dGamma * gamma
        return total
    }
}
