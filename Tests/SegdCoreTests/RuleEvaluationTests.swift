import SegdCore
import Testing

@Suite struct RuleEvaluationTests {
    private func evaluate(_ text: String, _ values: [String: Double] = [:], members: Set<String> = []) throws -> Bool {
        try RuleFixtures.compile(text).evaluate(RuleFixtures.features(values), RuleFixtures.memberships(members))
    }

    @Test func frequentBuyer() throws {
        let rule = "orders_90d >= 3 and spend_90d > 500"
        #expect(try evaluate(rule, ["orders_90d": 3, "spend_90d": 500.01]))
        #expect(try !evaluate(rule, ["orders_90d": 3, "spend_90d": 500]))
        #expect(try !evaluate(rule, ["orders_90d": 2, "spend_90d": 900]))
    }

    @Test func constantOnTheLeftMeansTheSame() throws {
        #expect(try evaluate("500 < spend_90d", ["spend_90d": 501]))
        #expect(try !evaluate("500 < spend_90d", ["spend_90d": 500]))
        #expect(try evaluate("3 >= orders_30d", ["orders_30d": 3]))
        #expect(try evaluate("1 + 2 == orders_30d", ["orders_30d": 3]))
    }

    @Test(arguments: [(0.999, false), (1, true), (3, true), (5, true), (5.001, false)])
    func betweenIsInclusiveAtBothEnds(value: Double, inside: Bool) throws {
        #expect(try evaluate("rating_avg between 1 and 5", ["rating_avg": value]) == inside)
        #expect(try evaluate("not rating_avg between 1 and 5", ["rating_avg": value]) == !inside)
    }

    @Test func betweenWithReversedBoundsIsNeverTrue() throws {
        #expect(try !evaluate("rating_avg between 5 and 1", ["rating_avg": 3]))
    }

    @Test(arguments: [(1.0, true), (2, true), (-3, true), (3, false), (1.5, false)])
    func membership(value: Double, listed: Bool) throws {
        #expect(try evaluate("sessions_7d in [1, 2, -3]", ["sessions_7d": value]) == listed)
        #expect(try evaluate("sessions_7d not in [1, 2, -3]", ["sessions_7d": value]) == !listed)
    }

    @Test func segmentReferencesReadTheMembershipBits() throws {
        #expect(try evaluate("segment(vip)", members: ["vip"]))
        #expect(try !evaluate("segment(vip)", members: ["frequent_buyer", "churned"]))
        #expect(try evaluate("segment(at_risk) and not segment(churned)", members: ["at_risk"]))
        #expect(try !evaluate("segment(at_risk) and not segment(churned)", members: ["at_risk", "churned"]))
        let rule = "orders_90d >= 3 and spend_90d > 500 or segment(vip)"
        #expect(try evaluate(rule, members: ["vip"]))
        #expect(try evaluate(rule, ["orders_90d": 4, "spend_90d": 600]))
        #expect(try !evaluate(rule, ["orders_90d": 4, "spend_90d": 400], members: ["churned"]))
    }

    @Test func segmentsBeyondTheFirstWordUseLaterWords() throws {
        let segments = (0..<130).map { "s\($0)" }
        let rule = try RuleCompiler.compile("segment(s129) and not segment(s64)", features: RuleFixtures.catalog, segments: segments)
        #expect(rule.segmentDependencies == [129, 64])
        #expect(rule.evaluate(RuleFixtures.features([:]), [0, 0, 1 << 1]))
        #expect(!rule.evaluate(RuleFixtures.features([:]), [0, 1, 1 << 1]))
        #expect(!rule.evaluate(RuleFixtures.features([:]), [UInt64.max, 0, 0]))
    }

    @Test func booleanLiterals() throws {
        #expect(try evaluate("true"))
        #expect(try !evaluate("false"))
        #expect(try evaluate("not false and true"))
        #expect(try evaluate("false or orders_30d == 0"))
    }

    @Test func divisionByZeroIsZero() throws {
        #expect(try evaluate("spend_90d / orders_90d == 0", ["spend_90d": 700, "orders_90d": 0]))
        #expect(try !evaluate("spend_90d / orders_90d > 100", ["spend_90d": 700, "orders_90d": 0]))
        #expect(try evaluate("not spend_90d / orders_90d > 100", ["spend_90d": 700, "orders_90d": 0]))
        #expect(try evaluate("spend_90d / orders_90d == 350", ["spend_90d": 700, "orders_90d": 2]))
        #expect(try evaluate("1 / (orders_30d - orders_30d) == 0", ["orders_30d": 5]))
    }

    @Test func overflowToNaNMakesComparisonsFalseExceptNotEqual() throws {
        let nan = "spend_90d * 1e300 * 1e300 - spend_90d * 1e300 * 1e300"
        let values = ["spend_90d": 1.0]
        #expect(try !evaluate("\(nan) == 0", values))
        #expect(try !evaluate("\(nan) < 0 or \(nan) >= 0", values))
        #expect(try evaluate("\(nan) != 0", values))
        #expect(try !evaluate("\(nan) between -1e308 and 1e308", values))
        #expect(try evaluate("\(nan) not in [0]", values))
        #expect(try evaluate("spend_90d * 1e300 * 1e300 > 1e308", values))
    }

    @Test func arithmetic() throws {
        let values: [String: Double] = ["orders_30d": 2, "orders_90d": 7, "spend_90d": 10]
        #expect(try evaluate("orders_90d - orders_30d * 3 == 1", values))
        #expect(try evaluate("(orders_90d - orders_30d) * 3 == 15", values))
        #expect(try evaluate("-orders_30d + spend_90d / 4 == 0.5", values))
        #expect(try evaluate("orders_90d - orders_30d - 1 == 4", values))
    }

    @Test func featureSlotsAreDistinctInOrderOfFirstAppearance() throws {
        let rule = try RuleFixtures.compile("spend_90d > 1 and orders_30d > 1 or spend_90d < 5 or segment(churned) or segment(vip) and segment(churned)")
        #expect(rule.featureSlots == [3, 0])
        #expect(rule.segmentDependencies == [2, 0])
        #expect(try RuleFixtures.compile("true").featureSlots.isEmpty)
    }

    @Test func aRepeatedFeatureNameResolvesToItsFirstSlot() throws {
        let catalog = FeatureCatalog(["orders_30d", "spend_30d", "orders_30d"])
        #expect(catalog.slot(of: "orders_30d") == 0)
        #expect(try RuleCompiler.compile("spend_30d > orders_30d", features: catalog, segments: []).featureSlots == [1, 0])
    }

    @Test func compiledRulesCrossToAnotherTask() async throws {
        let rule = try await Task.detached { try RuleFixtures.compile("orders_30d > 1") }.value
        #expect(rule.evaluate(RuleFixtures.features(["orders_30d": 2]), []))
    }
}
