/// The Nelder–Mead simplex method (Lagarias, Reeds, Wright & Wright 1998, coefficients 1, 2, ½, ½)
/// over function values only: the fallback ``Minimizer`` uses where BFGS stalls, since it needs no
/// gradient and so cannot be misled by one. Owns nothing between calls.
enum NelderMeadMinimizer {
    struct Result {
        var point: [Double]
        var value: Double
        /// Whether the simplex shrank below the tolerances before the iterations ran out.
        var converged: Bool
        var evaluations: Int
    }

    private static let maximumIterations = 10_000
    /// The first simplex steps this far from the start along each axis (over log-parameters, a
    /// factor of about 1.65).
    private static let initialStep = 0.5

    static func minimize(_ objective: Minimizer.Objective, from start: [Double]) -> Result {
        let n = start.count
        var scratch = [Double](repeating: 0, count: n)
        var evaluations = 0
        func value(_ point: [Double]) -> Double {
            evaluations += 1
            let result = objective(point, &scratch)
            return result.isFinite ? result : .infinity
        }
        var vertices = [start]
        for axis in 0..<n {
            var vertex = start
            vertex[axis] += initialStep
            vertices.append(vertex)
        }
        var values = vertices.map(value)
        for _ in 0..<maximumIterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            vertices = order.map { vertices[$0] }
            values = order.map { values[$0] }
            let spread = values[n] - values[0]
            let size = vertices.dropFirst().reduce(0.0) { largest, vertex in
                zip(vertex, vertices[0]).reduce(largest) { max($0, abs($1.0 - $1.1)) }
            }
            if spread <= 1e-12 * max(1, abs(values[0])), size <= 1e-9 {
                return Result(point: vertices[0], value: values[0], converged: true, evaluations: evaluations)
            }
            let centroid = (0..<n).map { axis in vertices[0..<n].reduce(0) { $0 + $1[axis] } / Double(n) }
            func along(_ coefficient: Double) -> [Double] {
                (0..<n).map { centroid[$0] + coefficient * (vertices[n][$0] - centroid[$0]) }
            }
            let reflected = along(-1)
            let reflectedValue = value(reflected)
            if reflectedValue < values[0] {
                let expanded = along(-2)
                let expandedValue = value(expanded)
                (vertices[n], values[n]) = expandedValue < reflectedValue ? (expanded, expandedValue) : (reflected, reflectedValue)
                continue
            }
            if reflectedValue < values[n - 1] {
                (vertices[n], values[n]) = (reflected, reflectedValue)
                continue
            }
            // Contract outside the worst vertex when the reflection beat it, inside otherwise.
            let outside = reflectedValue < values[n]
            let contracted = along(outside ? -0.5 : 0.5)
            let contractedValue = value(contracted)
            if contractedValue < (outside ? reflectedValue : values[n]) {
                (vertices[n], values[n]) = (contracted, contractedValue)
                continue
            }
            for index in 1...n {
                vertices[index] = (0..<n).map { vertices[0][$0] + 0.5 * (vertices[index][$0] - vertices[0][$0]) }
                values[index] = value(vertices[index])
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return Result(point: vertices[best], value: values[best], converged: false, evaluations: evaluations)
    }
}
