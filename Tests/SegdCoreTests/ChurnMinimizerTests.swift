import Foundation
@testable import SegdCore
import Testing

@Suite("Churn minimizer")
struct ChurnMinimizerTests {
    /// Rosenbrock's banana, minimum 0 at (1, 1): a curved valley that defeats steepest descent.
    private static func rosenbrock(_ point: [Double], _ gradient: inout [Double]) -> Double {
        let (x, y) = (point[0], point[1])
        gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x)
        gradient[1] = 200 * (y - x * x)
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
    }

    @Test("BFGS finds Rosenbrock's minimum from the classic start")
    func bfgs() {
        let result = Minimizer.minimize(Self.rosenbrock, from: [-1.2, 1], gradientTolerance: 1e-10)
        #expect(result.converged)
        #expect(result.method == .bfgs)
        #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8)
    }

    @Test("when the gradient misleads BFGS, Nelder–Mead takes over and still finds the minimum")
    func fallback() {
        // The true minimum is (3, −2); the gradient claims it is at the origin.
        let misleading: Minimizer.Objective = { point, gradient in
            gradient[0] = 2 * point[0]
            gradient[1] = 2 * point[1]
            return (point[0] - 3) * (point[0] - 3) + 4 * (point[1] + 2) * (point[1] + 2)
        }
        let result = Minimizer.minimize(misleading, from: [0.5, 0.5], gradientTolerance: 1e-10)
        #expect(result.method == .nelderMead)
        #expect(result.converged)
        #expect(abs(result.point[0] - 3) < 1e-6 && abs(result.point[1] + 2) < 1e-6)
    }

    @Test("points outside the function's domain are stepped back from, not accepted")
    func domain() {
        // ln-barrier: defined for x > 0 only, minimum at x = 1.
        let barrier: Minimizer.Objective = { point, gradient in
            gradient[0] = 1 - 1 / point[0]
            return point[0] > 0 ? point[0] - log(point[0]) : .nan
        }
        let result = Minimizer.minimize(barrier, from: [0.01], gradientTolerance: 1e-12)
        #expect(result.converged)
        #expect(abs(result.point[0] - 1) < 1e-9)
    }
}

