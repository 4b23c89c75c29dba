import SegdCore
import Testing

@Suite struct RuleDependencyOrderTests {
    /// Compiles `rules` (name, text) against their own names and orders them, by name.
    private func order(_ rules: KeyValuePairs<String, String>) throws -> [String] {
        let names = rules.map(\.key)
        let compiled = try rules.map { try RuleCompiler.compile($0.value, features: RuleFixtures.catalog, segments: names) }
        return try RuleDependencyOrder.order(compiled.map(\.segmentDependencies)).map { names[$0] }
    }

    @Test func independentSegmentsKeepTheirConfigOrder() throws {
        #expect(try order(["a": "orders_30d > 1", "b": "true", "c": "spend_90d > 1"]) == ["a", "b", "c"])
        #expect(try order([:]) == [])
    }

    @Test func dependenciesComeFirst() throws {
        #expect(try order(["a": "segment(b)", "b": "segment(c)", "c": "true"]) == ["c", "b", "a"])
        let diamond = try order([
            "top": "segment(left) or segment(right)", "left": "segment(base)", "right": "segment(base) and true", "base": "true",
        ])
        #expect(diamond == ["base", "left", "right", "top"])
    }

    @Test func aCycleListsEverySegmentInIt() {
        #expect(throws: RuleCycleError(cycle: [0, 1, 2])) {
            try order(["a": "segment(b)", "b": "true and segment(c)", "c": "segment(a) or false", "d": "true"])
        }
        #expect(RuleCycleError(cycle: [0, 1, 2]).description == "segments refer to each other in a cycle: 0 -> 1 -> 2 -> 0")
    }

    @Test func aCycleAwayFromTheFirstSegmentListsOnlyTheSegmentsInIt() {
        #expect(throws: RuleCycleError(cycle: [1, 2])) {
            try order(["vip": "segment(churned)", "churned": "segment(at_risk)", "at_risk": "not segment(churned)"])
        }
    }

    @Test func aSegmentReferringToItselfIsACycle() {
        #expect(throws: RuleCycleError(cycle: [1])) {
            try order(["ok": "true", "loop": "segment(loop) or orders_30d > 1"])
        }
    }

    @Test func aLongChainDoesNotRecurse() throws {
        let count = 200_000
        let dependencies = (0..<count).map { $0 + 1 < count ? [$0 + 1] : [] }
        #expect(try RuleDependencyOrder.order(dependencies) == Array((0..<count).reversed()))
    }
}
