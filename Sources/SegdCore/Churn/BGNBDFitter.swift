import Glibc

/// A fitted BG/NBD model: the maximum-likelihood parameters for a sample and how they were found.
public struct BGNBDFit: Sendable {
    public var parameters: BGNBDParameters
    public var unit: ChurnTimeUnit
    /// The summed log-likelihood at ``parameters`` (eq. 6 over all customers).
    public var logLikelihood: Double
    /// Customers in the sample.
    public var customers: Int
    /// Likelihood evaluations the optimizer used.
    public var evaluations: Int
}

/// Fits BG/NBD by maximum likelihood, as Fader, Hardie & Lee (2005) do: maximizes the summed
/// log-likelihood of eq. 6 over (ln r, ln α, ln a, ln b), so the parameters stay positive without
/// constraints, with ``Minimizer`` and the closed-form gradient of ``BGNBDLikelihood``.
public enum BGNBDFitter {
    /// Fits `sample`. Starts from r = a = b = 1 and the α that matches the observed purchase
    /// rate, r/α = Σx / ΣT (the mean of gamma(r, α) is r/α), so the start does not depend on the
    /// time unit. Throws when nobody made a repeat purchase (the likelihood then rises towards
    /// r → 0 without a maximum) or the optimizer finds no maximum at finite parameters.
    public static func fit(_ sample: BGNBDSample) throws(ChurnFitError) -> BGNBDFit {
        guard sample.customers > 0 else { throw .noCustomers }
        guard sample.repeatCustomers > 0 else { throw .noRepeatPurchases }
        let likelihood = BGNBDLikelihood(sample)
        let totalAge = Double(sample.totalAgeDays) / sample.unit.days
        // ΣT is 0 when every first purchase falls on the calibration end day; keep α positive then too.
        let startAlpha = max(totalAge, 1) / Double(sample.totalRepeatPurchases)
        let start = [0, log(startAlpha), 0, 0]
        let objective: Minimizer.Objective = { point, gradient in
            let value = likelihood.evaluate(parameters(point), gradient: &gradient)
            for index in gradient.indices { gradient[index].negate() }
            return -value
        }
        // The likelihood is a sum over customers, so its gradient grows with their number; a
        // tolerance relative to it leaves the parameters within about 1e-7 of the maximum.
        let tolerance = 1e-9 * Double(sample.customers)
        let result = Minimizer.minimize(objective, from: start, gradientTolerance: tolerance)
        // A parameter beyond e^±30 means the likelihood kept rising towards a boundary (say
        // b → ∞ when nobody seems to drop out): no maximum, whatever the gradient says.
        guard result.converged, result.point.allSatisfy({ $0.isFinite && abs($0) < 30 }) else {
            throw .notConverged(model: "BG/NBD", logLikelihood: -result.value)
        }
        return BGNBDFit(
            parameters: parameters(result.point), unit: sample.unit, logLikelihood: -result.value,
            customers: sample.customers, evaluations: result.evaluations)
    }

    private static func parameters(_ logParameters: [Double]) -> BGNBDParameters {
        BGNBDParameters(r: exp(logParameters[0]), alpha: exp(logParameters[1]), a: exp(logParameters[2]), b: exp(logParameters[3]))
    }
}
