import Foundation
@testable import SegdCore
import Testing

/// The engine's churn side on hand-made histories, with the paper's CDNOW estimates (weeks):
/// the risk alert at the closed-form instant to the millisecond, recovery only past the
/// hysteresis, one-time buyers judged by inactivity, rule timers on p_alive, and a refit.
@Suite struct ChurnEngineTests {
    static let model = ChurnModel(purchases: CDNOW.paperEstimates, spend: GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44), unit: .weeks, oneTimeBuyerDays: 60)
    static let day: Int64 = 86_400_000

    static func harness(model: ChurnModel? = model, refit: Int64? = nil, segments: [(String, String)] = [("at_risk", "churn_risk == 1")]) throws -> EngineHarness {
        var settings = ChurnSettings(model: model, refitIntervalMilliseconds: refit, refitMinimumRepeatCustomers: 1)
        settings.horizons = [try WindowSpec(parsing: "30d")]
        return try EngineHarness(definitions: segments.map { EngineConfiguration.Segment(name: $0.0, rule: $0.1) }, churn: settings)
    }

    static func time(_ text: String) -> Int64 { EventTimeText.parse(text)! }

    @Test func riskFiresAtTheClosedFormCrossingToTheMillisecond() throws {
        var harness = try Self.harness()
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.order("c1", at: "2026-01-08T10:00:00Z")
        // x = 1, t_x = 1 week: T* = (α + 1)((b + x − 1)/a)^(1/(r + x)) − α weeks after 2026-01-01T00:00Z.
        let p = CDNOW.paperEstimates
        let ageWeeks = (p.alpha + 1) * pow((p.b + 1 - 1) / p.a, 1 / (p.r + 1)) - p.alpha
        let due = Self.time("2026-01-01T00:00:00Z") + Int64((ageWeeks * 7 * Double(Self.day)).rounded(.up))
        _ = harness.drain()
        harness.pipeline.engine.advanceClock(to: due - 1)
        #expect(harness.drain().isEmpty)
        #expect(try #require(harness.feature("p_alive", of: "c1")) >= 0.5)
        harness.pipeline.engine.advanceClock(to: due)
        let messages = harness.drain()
        #expect(messages.map(\.topic) == ["churn.risk", "segment.at_risk.enter"])
        let alert = try #require(messages.first)
        #expect(alert.ts == TimestampFormat.rfc3339(due))
        #expect(alert.cause == "timer")
        #expect(alert.object["reason"] as? String == "p_alive_below_threshold")
        #expect(alert.object["x"] as? Int == 1)
        #expect(alert.object["t_x"] as? Double == 1)
        #expect(try #require(alert.object["p_alive"] as? Double) < 0.5)
        #expect(alert.object["segments"] as? [String] == ["at_risk"])
        #expect(try #require(alert.object["expected_value_at_risk"] as? Double) > 0)
        #expect(harness.feature("churn_risk", of: "c1") == 1)
        // Once per crossing: time going on publishes nothing more.
        harness.advance(to: "2027-01-01T00:00:00Z")
        #expect(harness.drain().isEmpty)
    }

    @Test func recoveryNeedsThePurchaseToLiftPAliveAboveThresholdPlusHysteresis() throws {
        var harness = try Self.harness()
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.order("c1", at: "2026-01-08T10:00:00Z")
        harness.advance(to: "2026-06-01T00:00:00Z")
        #expect(harness.drain().map(\.topic) == ["churn.risk", "segment.at_risk.enter"])
        // A purchase after a long silence: P(alive) after it is 1/(1 + a/(b + x − 1)) = 0.80 for
        // x = 2, above 0.6, so the customer recovers on that order.
        harness.order("c1", at: "2026-06-02T10:00:00Z", id: "back")
        let messages = harness.drain()
        #expect(messages.map(\.topic) == ["churn.recovered", "segment.at_risk.exit"])
        #expect(messages.first?.object["event_id"] as? String == "back")
        #expect(messages.first?.object["reason"] as? String == "p_alive_recovered")
        #expect(harness.feature("churn_risk", of: "c1") == 0)
    }

    /// `previous_p_alive` is P(alive) at the customer's last evaluation for a reason other than a
    /// timer: a timer wake in between (here the `recent` rule's exit three days after the last
    /// order) does not replace it, so what the alert quotes does not depend on when rules happen
    /// to wake the customer; an event does.
    @Test func previousPAliveIsTheValueAtTheLastEventNotAtATimerWake() throws {
        let segments = [("at_risk", "churn_risk == 1"), ("recent", "days_since_last_order < 3")]
        let summary = PurchaseSummary(firstDay: Self.time("2026-01-01T00:00:00Z") / Self.day, lastDay: Self.time("2026-01-08T00:00:00Z") / Self.day, purchaseDays: 2, firstDaySpendMinor: 1000, totalSpendMinor: 2000)
        func pAlive(at ts: String) -> Float {
            Float(Self.model.probabilityAlive(summary, ageDays: summary.ageDays(at: Self.time(ts))))
        }
        func previousPAlive(afterLastEventAt lastEvent: String?) throws -> Double {
            var harness = try Self.harness(segments: segments)
            harness.order("c1", at: "2026-01-01T10:00:00Z")
            harness.order("c1", at: "2026-01-08T10:00:00Z")
            if let lastEvent { harness.click("c1", at: lastEvent) }
            harness.advance(to: "2026-06-01T00:00:00Z")
            let messages = harness.drain()
            #expect(messages.contains { $0.topic == "segment.recent.exit" && $0.cause == "timer" })
            let risk = try #require(messages.first { $0.topic == "churn.risk" })
            #expect(risk.cause == "timer")
            return try #require(risk.object["previous_p_alive"] as? Double)
        }
        // The wake at 2026-01-11 saw a lower P(alive) than the last order did.
        #expect(pAlive(at: "2026-01-11T10:00:00Z") < pAlive(at: "2026-01-08T10:00:00Z"))
        #expect(Float(try previousPAlive(afterLastEventAt: nil)) == pAlive(at: "2026-01-08T10:00:00Z"))
        #expect(Float(try previousPAlive(afterLastEventAt: "2026-01-20T12:00:00Z")) == pAlive(at: "2026-01-20T12:00:00Z"))
    }

    @Test func aPurchaseLeavingPAliveInsideTheHysteresisBandDoesNotRecover() throws {
        // a/(b + x − 1) with b = 0.8, x = 1: 0.793/0.8, so right after a repeat purchase P(alive)
        // is 0.502: above the threshold, inside the band up to 0.6.
        var purchases = CDNOW.paperEstimates
        purchases.b = 0.8
        var harness = try Self.harness(model: ChurnModel(purchases: purchases, spend: nil, unit: .weeks, oneTimeBuyerDays: 10))
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.advance(to: "2026-01-20T00:00:00Z")
        #expect(harness.drain().map(\.topic) == ["churn.risk", "segment.at_risk.enter"])
        harness.order("c1", at: "2026-01-20T10:00:00Z")
        #expect(harness.drain().isEmpty)
        #expect(harness.feature("churn_risk", of: "c1") == 1)
        #expect(harness.isMember("c1", "at_risk"))
    }

    @Test func oneTimeBuyersAreJudgedByInactivity() throws {
        var harness = try Self.harness()
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        #expect(harness.feature("p_alive", of: "c1")?.isNaN == true)
        _ = harness.drain()
        harness.advance(to: "2026-03-01T23:59:59.999Z")
        #expect(harness.drain().isEmpty)
        harness.advance(to: "2026-03-02T00:00:00Z")  // 60 days after 2026-01-01T00:00Z
        let alert = try #require(harness.drain().first)
        #expect(alert.topic == "churn.risk")
        #expect(alert.ts == "2026-03-02T00:00:00.000Z")
        #expect(alert.object["reason"] as? String == "one_time_buyer_inactive")
        #expect(alert.object["inactive_days_limit"] as? Int == 60)
        #expect(alert.object["p_alive"] is NSNull)
    }

    @Test func withoutAnInactivityLimitOneTimeBuyersAreNeverJudged() throws {
        var model = Self.model
        model.oneTimeBuyerDays = nil
        var harness = try Self.harness(model: model)
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.advance(to: "2030-01-01T00:00:00Z")
        #expect(!harness.drain().contains { $0.topic.hasPrefix("churn.") })
    }

    @Test func aRuleOnPAliveWakesTheCustomerAtItsOwnCrossing() throws {
        var harness = try Self.harness(segments: [("fading", "p_alive <= 0.3")])
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.order("c1", at: "2026-01-08T10:00:00Z")
        let summary = PurchaseSummary(firstDay: Self.time("2026-01-01T00:00:00Z") / Self.day, lastDay: Self.time("2026-01-08T00:00:00Z") / Self.day, purchaseDays: 2, firstDaySpendMinor: 1000, totalSpendMinor: 2000)
        let guess = try #require(Self.model.probabilityAliveCrossingTime(for: summary, threshold: 0.3))
        harness.advance(to: "2028-01-01T00:00:00Z")
        let enter = try #require(harness.drain().first { $0.topic == "segment.fading.enter" })
        let entered = Self.time(enter.ts)
        #expect(abs(entered - guess) <= 1)
        #expect(Self.model.probabilityAlive(summary, ageDays: summary.ageDays(at: entered)) <= 0.3)
        #expect(Self.model.probabilityAlive(summary, ageDays: summary.ageDays(at: entered - 1)) > 0.3)
    }

    @Test func expectedOrdersFallWithAgeAndARuleOnThemFiresByTimer() throws {
        var harness = try Self.harness(segments: [("cooling", "expected_orders_30d < 0.2")])
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        harness.order("c1", at: "2026-01-08T10:00:00Z")
        let early = try #require(harness.feature("expected_orders_30d", of: "c1"))
        #expect(early >= 0.2)
        harness.advance(to: "2030-01-01T00:00:00Z")
        let enter = try #require(harness.drain().first { $0.topic == "segment.cooling.enter" })
        #expect(enter.cause == "timer")
        #expect(try #require(enter.features["expected_orders_30d"] as? Double) < 0.2)
    }

    @Test func aRefitInstallsANewModelAndReevaluatesBuyers() throws {
        var harness = try Self.harness(refit: 30 * Self.day)
        for customer in 0..<40 {
            harness.order("c\(customer)", at: "2026-01-01T10:00:00Z")
            if customer % 2 == 0 { harness.order("c\(customer)", at: "2026-01-0\(2 + customer % 7)T10:00:00Z") }
        }
        #expect(!harness.pipeline.engine.churnRefitDue)
        harness.order("late", at: "2026-02-15T10:00:00Z")
        #expect(harness.pipeline.engine.churnRefitDue)
        #expect(harness.pipeline.engine.refitChurnModelIfDue() == nil)
        #expect(harness.pipeline.engine.statistics.churnRefits == 1)
        #expect(!harness.pipeline.engine.churnRefitDue)
    }

    /// A refit that moves nobody across the threshold re-evaluates nobody, yet every buyer's risk
    /// alert follows the new model: sooner when its crossing came nearer, later when it receded.
    @Test func aRefitMovesChurnTimersToTheNewModelsCrossing() throws {
        for dropout in [CDNOW.paperEstimates.a * 2, CDNOW.paperEstimates.a / 2] {
            var harness = try Self.harness(segments: [("at_risk", "churn_risk == 1"), ("abandoned", "cart_open == 1 and hours_since_last_cart >= 2")])
            harness.order("c1", at: "2026-01-01T10:00:00Z")
            // A one-time buyer whose next timer, the cart's, comes long before the model's inactivity limit.
            harness.order("c2", at: "2026-01-01T11:00:00Z")
            harness.order("c1", at: "2026-01-08T10:00:00Z")
            harness.click("c2", at: "2026-01-08T12:00:00Z", action: "add_to_cart")
            harness.advance(to: "2026-01-08T13:00:00Z")
            _ = harness.drain()
            var parameters = CDNOW.paperEstimates
            parameters.a = dropout
            let refitted = ChurnModel(purchases: parameters, spend: Self.model.spend, unit: .weeks, oneTimeBuyerDays: 60)
            harness.pipeline.engine.installChurnModel(refitted)
            #expect(harness.drain().isEmpty, "nobody crossed the threshold")
            harness.advance(to: "2026-01-08T14:00:00Z")
            #expect(harness.drain().map(\.topic) == ["segment.abandoned.enter"], "the refit kept the earlier timer")
            let summary = PurchaseSummary(firstDay: Self.time("2026-01-01T00:00:00Z") / Self.day, lastDay: Self.time("2026-01-08T00:00:00Z") / Self.day, purchaseDays: 2, firstDaySpendMinor: 1000, totalSpendMinor: 2000)
            let due = try #require(ChurnTracker.firstInstant(after: Self.time("2026-01-08T14:00:00Z"), hint: nil) { refitted.probabilityAlive(summary, ageDays: summary.ageDays(at: $0)) < 0.5 })
            harness.pipeline.engine.advanceClock(to: due - 1)
            #expect(!harness.drain().contains { $0.topic == "churn.risk" && $0.customer == "c1" }, "dropout \(dropout)")
            harness.pipeline.engine.advanceClock(to: due)
            #expect(harness.drain().filter { $0.customer == "c1" }.map(\.topic) == ["churn.risk", "segment.at_risk.enter"], "dropout \(dropout)")
        }
    }

    @Test func churnFeaturesExistOnlyWithAChurnSection() throws {
        #expect(throws: SegmentDefinitionError.self) { try EngineHarness(segments: [("x", "p_alive < 0.5")]) }
        let harness = try Self.harness()
        #expect(harness.pipeline.engine.layout.slot(named: "expected_value") != nil)
        #expect(harness.pipeline.engine.layout.slot(named: "expected_orders_30d") != nil)
    }

    @Test func firstInstantFindsTheFirstMillisecondWithOrWithoutAHint() {
        let threshold: Int64 = 1_234_567_890
        for hint in [nil, threshold, threshold - 5, threshold + 1_000_000, 0] as [Int64?] {
            #expect(ChurnTracker.firstInstant(after: 0, hint: hint) { $0 >= threshold } == threshold)
        }
        #expect(ChurnTracker.firstInstant(after: 0, hint: nil) { _ in false } == nil)
        #expect(ChurnTracker.firstInstant(after: 0, before: threshold + 1, hint: nil) { $0 >= threshold } == threshold)
        #expect(ChurnTracker.firstInstant(after: 0, before: threshold, hint: nil) { $0 >= threshold } == nil, "only instants before the bound")
    }
}

@Suite struct InterpurchaseGapsTests {
    @Test func quantileIsTheSmallestGapCoveringTheShare() {
        var gaps = InterpurchaseGaps()
        #expect(gaps.quantile(0.9) == nil)
        gaps.add(purchaseDays: [0, 10, 30, 60, 100] as [Int64])  // gaps 10, 20, 30, 40
        #expect(gaps.quantile(0.5) == 20)
        #expect(gaps.quantile(0.75) == 30)
        #expect(gaps.quantile(0.9) == 40)
        gaps.add(days: 100_000)
        #expect(gaps.quantile(1) == Int64(InterpurchaseGaps.maximumDays))
    }
}
