/// Unconstrained minimization of a smooth function of a few variables with a closed-form
/// gradient: the maximum-likelihood engine behind ``BGNBDFitter`` and ``GammaGammaFitter``,
/// which hand it the negative log-likelihood over log-parameters.
///
/// BFGS (``BFGSMinimizer``) runs first. If it stalls — its line search finds no decrease before
/// the gradient is small, which happens when rounding makes the gradient disagree with the
/// function or the start is in a flat, badly scaled region — Nelder–Mead (``NelderMeadMinimizer``),
/// which uses function values only, takes over from the best point so far, and BFGS then polishes
/// its answer to the gradient tolerance.
enum Minimizer {
    /// The function to minimize: its value at `point`, with the gradient written into `gradient`
    /// (same count as `point`). A non-finite value marks a point outside the function's domain.
    typealias Objective = (_ point: [Double], _ gradient: inout [Double]) -> Double

    /// How a minimization ended.
    enum Method: String, Sendable {
        /// BFGS reached the gradient tolerance.
        case bfgs
        /// BFGS stalled; Nelder–Mead converged and BFGS then reached the gradient tolerance.
        case nelderMeadThenBFGS
        /// BFGS stalled twice: the result is the better of Nelder–Mead's point and the second
        /// BFGS run's, converged if Nelder–Mead's simplex shrank to nothing.
        case nelderMead
    }

    struct Result: Sendable {
        var point: [Double]
        var value: Double
        /// Whether the method in ``method`` met its own stopping rule.
        var converged: Bool
        var method: Method
        /// Objective evaluations, all stages together.
        var evaluations: Int
    }

    /// Minimizes `objective` from `start`. Converged means a gradient with no component larger
    /// than `gradientTolerance`, or a Nelder–Mead simplex that shrank to nothing.
    static func minimize(_ objective: Objective, from start: [Double], gradientTolerance: Double) -> Result {
        let first = BFGSMinimizer.minimize(objective, from: start, gradientTolerance: gradientTolerance)
        if first.converged {
            return Result(point: first.point, value: first.value, converged: true, method: .bfgs, evaluations: first.evaluations)
        }
        let simplex = NelderMeadMinimizer.minimize(objective, from: first.point)
        let polished = BFGSMinimizer.minimize(objective, from: simplex.point, gradientTolerance: gradientTolerance)
        let evaluations = first.evaluations + simplex.evaluations + polished.evaluations
        if polished.converged {
            return Result(point: polished.point, value: polished.value, converged: true, method: .nelderMeadThenBFGS, evaluations: evaluations)
        }
        let best = polished.value < simplex.value ? (polished.point, polished.value) : (simplex.point, simplex.value)
        return Result(point: best.0, value: best.1, converged: simplex.converged, method: .nelderMead, evaluations: evaluations)
    }
}
