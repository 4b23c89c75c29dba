import Foundation
@testable import SegdCore
import Testing

@Suite("Churn special functions")
struct ChurnSpecialFunctionTests {
    @Test("digamma matches known values and the recurrence ψ(x+1) = ψ(x) + 1/x")
    func digamma() {
        let eulerGamma = 0.577_215_664_901_532_9
        #expect(abs(SpecialFunctions.digamma(1) + eulerGamma) < 5e-15)
        #expect(abs(SpecialFunctions.digamma(0.5) - (-eulerGamma - 2 * log(2.0))) < 5e-15)
        #expect(abs(SpecialFunctions.digamma(10) - 2.251_752_589_066_721_1) < 5e-15)
        for x in [0.013, 0.2, 0.9, 3.7, 9.99, 10.01, 57.3, 1_234.5] {
            let step = SpecialFunctions.digamma(x + 1) - SpecialFunctions.digamma(x)
            #expect(abs(step - 1 / x) <= 1e-13 * max(1, 1 / x), "x = \(x)")
        }
    }

    @Test("digamma is the derivative of log-gamma")
    func digammaIsDerivative() {
        for x in [0.3, 1.7, 6.2, 42.0] {
            let h = 1e-5 * x
            let difference = (SpecialFunctions.logGamma(x + h) - SpecialFunctions.logGamma(x - h)) / (2 * h)
            #expect(abs(difference - SpecialFunctions.digamma(x)) < 1e-8, "x = \(x)")
        }
    }

    @Test("2F1 agrees with closed forms across the unit interval")
    func hypergeometricClosedForms() {
        for z in [0.0, 0.1, 0.5, 0.9, 0.99] {
            // ₂F₁(1, 1; 2; z) = −ln(1−z)/z and ₂F₁(a, b; b; z) = (1−z)^−a.
            let logarithm = z == 0 ? 1 : -log1p(-z) / z
            let value = SpecialFunctions.hypergeometric2F1(1, 1, 2, z)
            #expect(abs(value - logarithm) <= 1e-13 * logarithm, "z = \(z)")
            let power = pow(1 - z, -0.37)
            #expect(abs(SpecialFunctions.hypergeometric2F1(0.37, 2.5, 2.5, z) - power) <= 1e-13 * power, "z = \(z)")
            // ₂F₁(−2, b; c; z) is the polynomial 1 − 2bz/c + b(b+1)z²/(c(c+1)).
            let polynomial = 1 - 2 * 1.5 * z / 0.7 + 1.5 * 2.5 * z * z / (0.7 * 1.7)
            #expect(abs(SpecialFunctions.hypergeometric2F1(-2, 1.5, 0.7, z) - polynomial) <= 1e-14 * max(1, abs(polynomial)))
        }
    }

    @Test("2F1 says NaN rather than a wrong number when the series cannot converge in time")
    func hypergeometricNearOne() {
        #expect(SpecialFunctions.hypergeometric2F1(1.2, 2.3, 1.9, 1 - 1e-9).isNaN)
    }
}
