/// The BFGS quasi-Newton method (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 6.1)
/// and a backtracking line search: keeps an approximation H of the inverse Hessian, steps along
/// −H∇f, and updates H from the change in gradient after each step. Owns nothing between
/// calls; ``Minimizer`` decides what to do when it stalls.
enum BFGSMinimizer {
    struct Result {
        var point: [Double]
        var value: Double
        /// Whether the gradient met the tolerance; false when the line search stalled or the
        /// iterations ran out.
        var converged: Bool
        var evaluations: Int
    }

    /// Sufficient-decrease constant c₁ of the Armijo condition f(x + s·d) ≤ f(x) + c₁ s ∇f·d.
    private static let armijo = 1e-4
    /// No coordinate moves more than this in one step: over log-parameters, a factor of e² at
    /// most, so a poor early H cannot throw a parameter to overflow.
    private static let maximumStep = 2.0
    private static let maximumIterations = 500
    private static let maximumBacktracks = 60

    static func minimize(_ objective: Minimizer.Objective, from start: [Double], gradientTolerance: Double) -> Result {
        let n = start.count
        var point = start
        var gradient = [Double](repeating: 0, count: n)
        var value = objective(point, &gradient)
        var evaluations = 1
        guard value.isFinite else { return Result(point: point, value: value, converged: false, evaluations: evaluations) }
        var inverseHessian = identity(n)
        var isScaled = false
        var candidate = point
        var candidateGradient = gradient
        for _ in 0..<maximumIterations {
            if gradient.allSatisfy({ abs($0) <= gradientTolerance }) {
                return Result(point: point, value: value, converged: true, evaluations: evaluations)
            }
            var direction = multiply(inverseHessian, gradient).map { -$0 }
            var slope = dot(gradient, direction)
            if !(slope < 0) {
                // H lost positive definiteness to rounding: start again from steepest descent.
                inverseHessian = identity(n)
                isScaled = false
                direction = gradient.map { -$0 }
                slope = -dot(gradient, gradient)
            }
            let longest = direction.reduce(0) { max($0, abs($1)) }
            var step = min(1, maximumStep / longest)
            var candidateValue = Double.infinity
            var accepted = false
            for _ in 0..<maximumBacktracks {
                for index in 0..<n { candidate[index] = point[index] + step * direction[index] }
                candidateValue = objective(candidate, &candidateGradient)
                evaluations += 1
                if accepts(candidateValue, slope: dot(candidateGradient, direction), step: step, from: value, slope: slope) {
                    accepted = true
                    break
                }
                // The minimizer of the quadratic through f(x), the slope and f(x + s·d), kept
                // within [s/10, s/2] so the search neither stalls nor overshoots.
                let curvature = candidateValue - value - slope * step
                let interpolated = candidateValue.isFinite && curvature > 0 ? -slope * step * step / (2 * curvature) : step / 2
                step = min(max(interpolated, step / 10), step / 2)
            }
            guard accepted, candidate != point else { return Result(point: point, value: value, converged: false, evaluations: evaluations) }
            let s = (0..<n).map { candidate[$0] - point[$0] }
            let y = (0..<n).map { candidateGradient[$0] - gradient[$0] }
            let sy = dot(s, y)
            // The update keeps H positive definite only when sᵀy > 0, which a backtracking
            // (not Wolfe) line search does not guarantee: skip it otherwise.
            if sy > 1e-12 * (dot(s, s) * dot(y, y)).squareRoot() {
                if !isScaled {
                    // Nocedal & Wright eq. 6.20: scale H₀ to the curvature just seen before the
                    // first update, so the next step has about the right length.
                    let scale = sy / dot(y, y)
                    for index in 0..<(n * n) { inverseHessian[index] *= scale }
                    isScaled = true
                }
                update(&inverseHessian, s: s, y: y, sy: sy)
            }
            point = candidate
            value = candidateValue
            gradient = candidateGradient
        }
        return Result(point: point, value: value, converged: false, evaluations: evaluations)
    }

    /// Whether the line search may stop at step length `step`, where the function is `value`
    /// and its slope along the search direction is `slope`, having started from `start` with
    /// slope `startSlope` < 0. Either Armijo's sufficient decrease, or Hager & Zhang's
    /// approximate Wolfe conditions (SIAM J. Optim. 16, 2005): the slope has risen from
    /// `startSlope` by at least a tenth but not past −0.8 × `startSlope`, and the value is no
    /// worse than the start within 1e-10 relative. Near the optimum a sum over thousands of
    /// customers changes by less than its own rounding error (about 1e-12 relative) from one
    /// step to the next, so Armijo alone stalls with the gradient still well above the
    /// tolerance; the gradient, accurate to far fewer digits lost, still says where to go.
    private static func accepts(_ value: Double, slope: Double, step: Double, from start: Double, slope startSlope: Double) -> Bool {
        guard value.isFinite else { return false }
        if value <= start + armijo * step * startSlope { return true }
        return value <= start + 1e-10 * abs(start) && slope >= 0.9 * startSlope && slope <= -0.8 * startSlope
    }

    /// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1/(sᵀy), expanded (eq. 6.17):
    /// H + ρ²(yᵀHy) s sᵀ + ρ s sᵀ − ρ (H y sᵀ + s yᵀ H), H symmetric.
    private static func update(_ h: inout [Double], s: [Double], y: [Double], sy: Double) {
        let n = s.count
        let rho = 1 / sy
        let hy = multiply(h, y)
        let yhy = dot(y, hy)
        for row in 0..<n {
            for column in 0..<n {
                h[row * n + column] += (rho * rho * yhy + rho) * s[row] * s[column]
                    - rho * (hy[row] * s[column] + s[row] * hy[column])
            }
        }
    }

    private static func identity(_ n: Int) -> [Double] {
        var matrix = [Double](repeating: 0, count: n * n)
        for index in 0..<n { matrix[index * n + index] = 1 }
        return matrix
    }

    private static func multiply(_ matrix: [Double], _ vector: [Double]) -> [Double] {
        let n = vector.count
        return (0..<n).map { row in (0..<n).reduce(0) { $0 + matrix[row * n + $1] * vector[$1] } }
    }

    private static func dot(_ u: [Double], _ v: [Double]) -> Double {
        zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
