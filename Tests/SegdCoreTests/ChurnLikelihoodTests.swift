import Foundation
@testable import SegdCore
import Testing

@Suite("Churn likelihoods")
struct ChurnLikelihoodTests {
    let rows: [CDNOW.Row]

    init() throws {
        rows = try CDNOW.rows(CDNOW.samplePath)
    }

    @Test("the grouped BG/NBD log-likelihood is the sum of every customer's eq. 6")
    func groupedEqualsSum() {
        let sample = CDNOW.sample(rows, through: CDNOW.calibrationEnd, unit: .weeks)
        #expect(sample.distinctPatterns < sample.customers)
        var gradient = [Double](repeating: 0, count: 4)
        let grouped = BGNBDLikelihood(sample).evaluate(CDNOW.paperEstimates, gradient: &gradient)
        let summed = CDNOW.observations(rows, through: CDNOW.calibrationEnd, unit: .weeks)
            .reduce(0) { $0 + CDNOW.paperEstimates.logLikelihood($1) }
        #expect(abs(grouped - summed) <= 1e-10 * abs(summed))
        #expect(abs(grouped - -9_582.4) < 0.05)
    }

    @Test("the BG/NBD gradient over log-parameters matches central differences")
    func bgnbdGradient() {
        let likelihood = BGNBDLikelihood(CDNOW.sample(rows, through: CDNOW.calibrationEnd, unit: .days))
        let logPoint = [log(0.4), log(25.0), log(1.3), log(3.1)]
        func value(_ point: [Double]) -> Double {
            var ignored = [Double](repeating: 0, count: 4)
            return likelihood.evaluate(
                BGNBDParameters(r: exp(point[0]), alpha: exp(point[1]), a: exp(point[2]), b: exp(point[3])), gradient: &ignored)
        }
        var gradient = [Double](repeating: 0, count: 4)
        _ = likelihood.evaluate(BGNBDParameters(r: 0.4, alpha: 25, a: 1.3, b: 3.1), gradient: &gradient)
        for index in 0..<4 {
            #expect(abs(centralDifference(value, at: logPoint, index) - gradient[index]) <= 1e-6 * max(1, abs(gradient[index])), "component \(index)")
        }
    }

    @Test("the Gamma-Gamma gradient over log-parameters matches central differences")
    func gammaGammaGradient() {
        var spend = SpendSample()
        for summary in CDNOW.summaries(rows, through: CDNOW.calibrationEnd).values { spend.add(summary) }
        let likelihood = GammaGammaLikelihood(spend)
        let logPoint = [log(3.0), log(2.5), log(20.0)]
        func value(_ point: [Double]) -> Double {
            var ignored = [Double](repeating: 0, count: 3)
            return likelihood.evaluate(GammaGammaParameters(p: exp(point[0]), q: exp(point[1]), gamma: exp(point[2])), gradient: &ignored)
        }
        var gradient = [Double](repeating: 0, count: 3)
        _ = likelihood.evaluate(GammaGammaParameters(p: 3, q: 2.5, gamma: 20), gradient: &gradient)
        for index in 0..<3 {
            #expect(abs(centralDifference(value, at: logPoint, index) - gradient[index]) <= 1e-6 * max(1, abs(gradient[index])), "component \(index)")
        }
    }

    /// The derivative of `function` along axis `index` at `point`, by a fourth-order central difference.
    private func centralDifference(_ function: ([Double]) -> Double, at point: [Double], _ index: Int) -> Double {
        let h = 1e-3
        func shifted(_ by: Double) -> Double {
            var moved = point
            moved[index] += by
            return function(moved)
        }
        return (-shifted(2 * h) + 8 * shifted(h) - 8 * shifted(-h) + shifted(-2 * h)) / (12 * h)
    }
}
