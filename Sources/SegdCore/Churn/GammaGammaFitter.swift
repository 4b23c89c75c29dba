import Glibc

/// A fitted Gamma-Gamma model and how it was found.
public struct GammaGammaFit: Sendable {
    public var parameters: GammaGammaParameters
    /// The summed log-likelihood at ``parameters``.
    public var logLikelihood: Double
    /// Repeat customers in the sample.
    public var customers: Int
    /// Likelihood evaluations the optimizer used.
    public var evaluations: Int
}

/// Fits the Gamma-Gamma spend model by maximum likelihood over (ln p, ln q, ln γ), so the
/// parameters stay positive, with ``Minimizer`` and the closed-form gradient of
/// ``GammaGammaLikelihood``.
public enum GammaGammaFitter {
    /// Fits `sample`, starting from p = 1, q = 2 and γ = the mean of m̄, so that the population
    /// mean pγ/(q−1) starts at the observed one. Throws when the sample is empty or the
    /// optimizer finds no maximum at finite parameters.
    public static func fit(_ sample: SpendSample) throws(ChurnFitError) -> GammaGammaFit {
        guard sample.customers > 0 else { throw .noRepeatSpend }
        let likelihood = GammaGammaLikelihood(sample)
        let objective: Minimizer.Objective = { point, gradient in
            let value = likelihood.evaluate(parameters(point), gradient: &gradient)
            for index in gradient.indices { gradient[index].negate() }
            return -value
        }
        let meanOfMeans = sample.meanSpends.reduce(0, +) / Double(sample.customers)
        let start = [0, log(2.0), log(meanOfMeans)]
        // As for BG/NBD: a tolerance that grows with the number of terms in the sum.
        let result = Minimizer.minimize(objective, from: start, gradientTolerance: 1e-9 * Double(sample.customers))
        // A parameter beyond e^±30: the likelihood kept rising towards a boundary.
        guard result.converged, result.point.allSatisfy({ $0.isFinite && abs($0) < 30 }) else {
            throw .notConverged(model: "Gamma-Gamma", logLikelihood: -result.value)
        }
        return GammaGammaFit(
            parameters: parameters(result.point), logLikelihood: -result.value,
            customers: sample.customers, evaluations: result.evaluations)
    }

    private static func parameters(_ logParameters: [Double]) -> GammaGammaParameters {
        GammaGammaParameters(p: exp(logParameters[0]), q: exp(logParameters[1]), gamma: exp(logParameters[2]))
    }
}
