import Glibc

/// The BG/NBD log-likelihood of a whole ``BGNBDSample`` and its gradient, in closed form, as
/// functions of the log-parameters (ln r, ln α, ln a, ln b) that ``BGNBDFitter`` optimizes over
/// so that every parameter stays positive.
///
/// LL = Σ over customers of eq. 6 (a sum, not a mean: it is the paper's LL = −9582.4 on CDNOW).
/// Per customer, with A₁ … A₄ as in ``BGNBDParameters/logLikelihood(_:)`` and the weights
/// w₃ = e^A₃ / (e^A₃ + δ e^A₄), w₄ = 1 − w₃ (w₄ = 0 when x = 0), the partial derivatives are
///
///     ∂/∂r = ψ(r+x) − ψ(r) + ln α − w₃ ln(α+T) − w₄ ln(α+t_x)
///     ∂/∂α = r/α − (r+x) (w₃/(α+T) + w₄/(α+t_x))
///     ∂/∂a = ψ(a+b) − ψ(a+b+x) + w₄/a
///     ∂/∂b = ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x) − w₄/(b+x−1)
///
/// and ∂/∂ln θ = θ ∂/∂θ. A₁, A₂ and their derivatives depend on x alone, so they are computed once
/// per distinct x (a few dozen), and only the logarithms of α+T and α+t_x once per triple.
///
/// Owns flat arrays of the triples, sorted by x; immutable once built.
struct BGNBDLikelihood: Sendable {
    /// One run of triples sharing a frequency x.
    private struct FrequencyGroup {
        var frequency: Double
        var range: Range<Int>
    }

    private var groups: [FrequencyGroup] = []
    private var recencies: [Double] = []
    private var ages: [Double] = []
    private var counts: [Double] = []

    init(_ sample: BGNBDSample) {
        let patterns = sample.counts.sorted { lhs, rhs in
            (lhs.key.frequency, lhs.key.recencyDays, lhs.key.ageDays) < (rhs.key.frequency, rhs.key.recencyDays, rhs.key.ageDays)
        }
        for (pattern, count) in patterns {
            let frequency = Double(pattern.frequency)
            if groups.last?.frequency != frequency {
                groups.append(FrequencyGroup(frequency: frequency, range: recencies.count..<recencies.count))
            }
            recencies.append(Double(pattern.recencyDays) / sample.unit.days)
            ages.append(Double(pattern.ageDays) / sample.unit.days)
            counts.append(Double(count))
            groups[groups.count - 1].range = groups[groups.count - 1].range.lowerBound..<recencies.count
        }
    }

    /// The total log-likelihood at `parameters`, and into `gradient` (4 elements) its gradient
    /// with respect to their logarithms. Non-finite when the parameters overflow.
    func evaluate(_ parameters: BGNBDParameters, gradient: inout [Double]) -> Double {
        let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
        let logAlpha = log(alpha)
        let logGammaR = SpecialFunctions.logGamma(r)
        let logGammaB = SpecialFunctions.logGamma(b)
        let logGammaAB = SpecialFunctions.logGamma(a + b)
        let digammaR = SpecialFunctions.digamma(r)
        let digammaB = SpecialFunctions.digamma(b)
        let digammaAB = SpecialFunctions.digamma(a + b)
        var total = 0.0
        var (dr, dAlpha, da, db) = (0.0, 0.0, 0.0, 0.0)
        for group in groups {
            let x = group.frequency
            let shape = r + x
            let shared = SpecialFunctions.logGamma(shape) - logGammaR + r * logAlpha
                + logGammaAB + SpecialFunctions.logGamma(b + x) - logGammaB - SpecialFunctions.logGamma(a + b + x)
            let digammaABX = SpecialFunctions.digamma(a + b + x)
            var groupCount = 0.0
            var sum = 0.0
            var sumLogAge = 0.0, sumInverseAge = 0.0
            var sumLogRecency = 0.0, sumInverseRecency = 0.0, sumDeadWeight = 0.0
            if x == 0 {
                // Only A₃: w₃ = 1.
                for index in group.range {
                    let count = counts[index]
                    let logAge = log(alpha + ages[index])
                    groupCount += count
                    sum += count * -shape * logAge
                    sumLogAge += count * logAge
                    sumInverseAge += count / (alpha + ages[index])
                }
            } else {
                let logOddsFactor = log(a) - log(b + x - 1)
                for index in group.range {
                    let count = counts[index]
                    let logAge = log(alpha + ages[index])
                    let logRecency = log(alpha + recencies[index])
                    let a3 = -shape * logAge
                    let a4 = logOddsFactor - shape * logRecency
                    let mix = BGNBDParameters.logSumExp(a3, a4)
                    let aliveWeight = exp(a3 - mix)
                    let deadWeight = exp(a4 - mix)
                    groupCount += count
                    sum += count * mix
                    sumLogAge += count * aliveWeight * logAge
                    sumInverseAge += count * aliveWeight / (alpha + ages[index])
                    sumLogRecency += count * deadWeight * logRecency
                    sumInverseRecency += count * deadWeight / (alpha + recencies[index])
                    sumDeadWeight += count * deadWeight
                }
            }
            total += groupCount * shared + sum
            dr += groupCount * (SpecialFunctions.digamma(shape) - digammaR + logAlpha) - sumLogAge - sumLogRecency
            dAlpha += groupCount * r / alpha - shape * (sumInverseAge + sumInverseRecency)
            da += groupCount * (digammaAB - digammaABX) + sumDeadWeight / a
            db += groupCount * (digammaAB + SpecialFunctions.digamma(b + x) - digammaB - digammaABX)
            if x > 0 { db -= sumDeadWeight / (b + x - 1) }
        }
        gradient[0] = dr * r
        gradient[1] = dAlpha * alpha
        gradient[2] = da * a
        gradient[3] = db * b
        return total
    }
}
