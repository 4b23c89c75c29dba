import Foundation
import SegdCore
import Testing

@Suite("Churn predictions")
struct ChurnPredictionTests {
    let observations: [BGNBDObservation]

    init() throws {
        observations = CDNOW.observations(try CDNOW.rows(CDNOW.samplePath), through: CDNOW.calibrationEnd, unit: .weeks)
    }

    @Test("at the crossing age T*, P(alive) equals θ to 1e-9 and is above θ just before")
    func crossingAge() {
        let repeaters = observations.filter { $0.frequency > 0 }
        var interior = 0
        for (index, customer) in repeaters.enumerated() where index % 7 == 0 {
            for threshold in [0.05, 0.3, 0.5, 0.7, 0.95] {
                guard let age = CDNOW.paperEstimates.ageWhenProbabilityAlive(
                    fallsTo: threshold, frequency: customer.frequency, recency: customer.recency)
                else {
                    Issue.record("no crossing for \(customer) at θ = \(threshold)")
                    continue
                }
                let at = BGNBDObservation(frequency: customer.frequency, recency: customer.recency, age: age)
                if age == customer.recency {
                    #expect(CDNOW.paperEstimates.probabilityAlive(at) <= threshold)
                    continue
                }
                interior += 1
                #expect(abs(CDNOW.paperEstimates.probabilityAlive(at) - threshold) < 1e-9, "\(customer) θ = \(threshold)")
                let before = BGNBDObservation(frequency: customer.frequency, recency: customer.recency, age: age - 1e-6)
                #expect(CDNOW.paperEstimates.probabilityAlive(before) > threshold, "\(customer) θ = \(threshold)")
            }
        }
        #expect(interior > 300)
    }

    @Test("P(alive) never crosses for one-time buyers or θ ≤ 0, and has crossed at once for θ ≥ 1")
    func noCrossing() {
        #expect(CDNOW.paperEstimates.ageWhenProbabilityAlive(fallsTo: 0.5, frequency: 0, recency: 0) == nil)
        #expect(CDNOW.paperEstimates.ageWhenProbabilityAlive(fallsTo: 0, frequency: 3, recency: 10) == nil)
        #expect(CDNOW.paperEstimates.ageWhenProbabilityAlive(fallsTo: 1, frequency: 3, recency: 10) == 10)
        #expect(CDNOW.paperEstimates.probabilityAlive(BGNBDObservation(frequency: 0, recency: 0, age: 500)) == 1)
    }

    @Test("the crossing time is the first millisecond at which P(alive) is at most θ, counted from the first purchase day")
    func crossingTime() throws {
        let model = ChurnModel(purchases: CDNOW.paperEstimates, spend: nil, unit: .weeks)
        var summary = PurchaseSummary()
        let first = CDNOW.day("19970105")
        summary.record(day: first, amountMinor: 1_000)
        summary.record(day: first + 20, amountMinor: 1_000)
        summary.record(day: first + 41, amountMinor: 1_000)
        let time = try #require(model.probabilityAliveCrossingTime(for: summary, threshold: 0.4))
        func probability(at milliseconds: Int64) -> Double {
            let weeks = Double(milliseconds - first * 86_400_000) / 86_400_000 / 7
            return CDNOW.paperEstimates.probabilityAlive(BGNBDObservation(frequency: 2, recency: 41.0 / 7, age: weeks))
        }
        #expect(probability(at: time) <= 0.4 + 1e-12)
        #expect(probability(at: time - 1_000) > 0.4)
        #expect(time > (first + 41) * 86_400_000)
        #expect(model.probabilityAliveCrossingTime(for: PurchaseSummary(), threshold: 0.4) == nil)
    }

    @Test("expected purchases: none in no time, more in a longer horizon, fewer for a customer who has gone quiet")
    func expectedPurchases() {
        let active = BGNBDObservation(frequency: 4, recency: 30, age: 32)
        let quiet = BGNBDObservation(frequency: 4, recency: 5, age: 32)
        #expect(CDNOW.paperEstimates.expectedPurchases(in: 0, active) == 0)
        #expect(CDNOW.paperEstimates.expectedPurchases(in: 10, active) < CDNOW.paperEstimates.expectedPurchases(in: 20, active))
        #expect(CDNOW.paperEstimates.expectedPurchases(in: 39, quiet) < CDNOW.paperEstimates.expectedPurchases(in: 39, active))
    }

    @Test("expected purchases are continuous through a = 1, where eq. 10 is 0/0")
    func expectedPurchasesAtAEqualsOne() {
        let customer = BGNBDObservation(frequency: 2, recency: 10, age: 30)
        func expected(_ a: Double) -> Double {
            BGNBDParameters(r: 0.5, alpha: 5, a: a, b: 2.5).expectedPurchases(in: 26, customer)
        }
        let atOne = expected(1)
        #expect(atOne.isFinite)
        #expect(abs(atOne - (expected(1 - 1e-4) + expected(1 + 1e-4)) / 2) < 1e-6 * atOne)
    }

    @Test("a prediction combines P(alive), expected purchases and the Gamma-Gamma order value into expected_value")
    func prediction() throws {
        let spend = GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44)
        let model = ChurnModel(purchases: CDNOW.paperEstimates, spend: spend, unit: .weeks)
        var summary = PurchaseSummary()
        summary.record(day: 1_000, amountMinor: 5_000)
        summary.record(day: 1_014, amountMinor: 3_000)
        summary.record(day: 1_028, amountMinor: 1_000)
        let outlook = try #require(model.prediction(for: summary, onDay: 1_063, horizon: 52))
        let observation = BGNBDObservation(frequency: 2, recency: 4, age: 9)
        #expect(outlook.probabilityAlive == CDNOW.paperEstimates.probabilityAlive(observation))
        #expect(outlook.expectedPurchases == CDNOW.paperEstimates.expectedPurchases(in: 52, observation))
        // m̄ = (30 + 10) / 2 = 20 dollars: E[M] = p(γ + x m̄)/(px + q − 1).
        let orderValue = try #require(outlook.expectedOrderValue)
        #expect(abs(orderValue - 6.25 * (15.44 + 2 * 20) / (6.25 * 2 + 3.74 - 1)) < 1e-12)
        #expect(outlook.expectedValue == outlook.expectedPurchases * orderValue)

        var newcomer = PurchaseSummary()
        newcomer.record(day: 1_050, amountMinor: 2_000)
        let population = try #require(model.prediction(for: newcomer, onDay: 1_063, horizon: 52)?.expectedOrderValue)
        #expect(model.prediction(for: PurchaseSummary(), onDay: 1_063, horizon: 52) == nil)
        #expect(abs(population - 6.25 * 15.44 / 2.74) < 1e-12)
        #expect(GammaGammaParameters(p: 1, q: 0.8, gamma: 3).expectedAverageOrderValue(repeatPurchases: 0, meanSpend: 0) == nil)
    }
}
