import Foundation
import SegdCore
import Testing

@Suite("Churn model fits on CDNOW")
struct ChurnFitTests {
    let rows: [CDNOW.Row]

    init() throws {
        rows = try CDNOW.rows(CDNOW.samplePath)
    }

    @Test("the vendored sample is the paper's: 6,919 rows, 2,357 customers")
    func fixture() {
        #expect(rows.count == 6_919)
        #expect(Set(rows.map(\.customer)).count == 2_357)
    }

    @Test("BG/NBD on the 39-week calibration of the sample reproduces the paper's estimates and log-likelihood")
    func reproducesPaper() throws {
        let sample = CDNOW.sample(rows, through: CDNOW.calibrationEnd, unit: .weeks)
        #expect(sample.customers == 2_357)
        #expect(sample.repeatCustomers == 946)
        let fit = try BGNBDFitter.fit(sample)
        let fitted = fit.parameters
        #expect(abs(fitted.r.rounded(toPlaces: 3) - CDNOW.paperEstimates.r) < 0.0005, "r = \(fitted.r)")
        #expect(abs(fitted.alpha.rounded(toPlaces: 3) - CDNOW.paperEstimates.alpha) < 0.0005, "α = \(fitted.alpha)")
        #expect(abs(fitted.a.rounded(toPlaces: 3) - CDNOW.paperEstimates.a) < 0.0005, "a = \(fitted.a)")
        #expect(abs(fitted.b.rounded(toPlaces: 3) - CDNOW.paperEstimates.b) < 0.0005, "b = \(fitted.b)")
        #expect(abs(fit.logLikelihood - -9_582.4) < 0.05, "LL = \(fit.logLikelihood)")
        #expect(fit.customers == 2_357)
    }

    @Test("fitting in days gives the same model: α scales by 7, r, a and b do not, and LL shifts by −ln 7 · Σx")
    func unitInvariance() throws {
        let weeks = CDNOW.sample(rows, through: CDNOW.calibrationEnd, unit: .weeks)
        let days = CDNOW.sample(rows, through: CDNOW.calibrationEnd, unit: .days)
        let inWeeks = try BGNBDFitter.fit(weeks)
        let inDays = try BGNBDFitter.fit(days)
        func close(_ lhs: Double, _ rhs: Double) -> Bool { abs(lhs - rhs) <= 1e-6 * abs(rhs) }
        #expect(close(inDays.parameters.r, inWeeks.parameters.r))
        #expect(close(inDays.parameters.alpha, 7 * inWeeks.parameters.alpha))
        #expect(close(inDays.parameters.a, inWeeks.parameters.a))
        #expect(close(inDays.parameters.b, inWeeks.parameters.b))
        #expect(close(inDays.logLikelihood, inWeeks.logLikelihood - log(7) * Double(weeks.totalRepeatPurchases)))
    }

    @Test("Gamma-Gamma on the sample's repeat customers reproduces Fader & Hardie's p = 6.25, q = 3.74, γ = 15.44")
    func gammaGamma() throws {
        var spend = SpendSample()
        for summary in CDNOW.summaries(rows, through: CDNOW.calibrationEnd).values { spend.add(summary) }
        #expect(spend.customers == 946)
        let fit = try GammaGammaFitter.fit(spend)
        #expect(abs(fit.parameters.p.rounded(toPlaces: 2) - 6.25) < 0.005, "p = \(fit.parameters.p)")
        #expect(abs(fit.parameters.q.rounded(toPlaces: 2) - 3.74) < 0.005, "q = \(fit.parameters.q)")
        #expect(abs(fit.parameters.gamma.rounded(toPlaces: 2) - 15.44) < 0.005, "γ = \(fit.parameters.gamma)")
    }

    @Test("a history with no repeat purchase, or no customer, cannot be fitted, and says why")
    func unidentifiable() {
        var sample = BGNBDSample(unit: .weeks)
        #expect(throws: ChurnFitError.noCustomers) { try BGNBDFitter.fit(sample) }
        var summary = PurchaseSummary()
        summary.record(day: 10, amountMinor: 100)
        sample.add(summary, onDay: 40)
        #expect(throws: ChurnFitError.noRepeatPurchases) { try BGNBDFitter.fit(sample) }
        #expect(throws: ChurnFitError.noRepeatSpend) { try GammaGammaFitter.fit(SpendSample()) }
    }
}
