import Foundation
import SegdCore
import Testing

@Suite("Rule reload")
struct ReloadTests {
    @Test("reloading rules keeps customer state and publishes each changed membership with cause rules_changed")
    func reloadKeepsStateAndAlerts() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_total >= 1"), ("browser", "clicks_total >= 1")])
        harness.order("c1", at: "2026-01-01T00:00:00Z", id: "a")
        harness.order("c2", at: "2026-01-01T00:00:01Z", id: "b")
        harness.order("c2", at: "2026-01-01T00:00:02Z", id: "c")
        harness.click("c3", at: "2026-01-01T00:00:03Z")
        _ = harness.drain()
        try harness.pipeline.engine.reload(segments: [
            .init(name: "buyer", rule: "orders_total >= 2"),
            .init(name: "big", rule: "spend_total >= 20"),
        ])
        let messages = harness.drain()
        #expect(messages.allSatisfy { $0.cause == "rules_changed" && $0.object["event_id"] == nil })
        #expect(Set(messages.map { "\($0.topic) \($0.customer)" }) == [
            "segment.browser.exit c3", "segment.buyer.exit c1", "segment.big.enter c2",
        ])
        #expect(messages.first?.topic == "segment.browser.exit", "removed segments are left first")
        #expect(messages.allSatisfy { $0.ts == "2026-01-01T00:00:03.000Z" }, "evaluated at the engine clock")
        #expect(harness.isMember("c2", "buyer"))
        #expect(harness.feature("orders_total", of: "c2") == 2, "customer state is untouched")
        let summary = EngineSummary.json(harness.pipeline.engine)
        #expect(summary.contains(#""segments":{"big":1,"buyer":1}"#))
        harness.order("c1", at: "2026-01-01T00:00:04Z", id: "d")
        #expect(harness.drain().map(\.topic) == ["segment.buyer.enter", "segment.big.enter"], "the new rules apply to the next event")
    }

    @Test("rules that do not compile are refused and the old ones stay in force")
    func invalidReloadChangesNothing() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_total >= 1")])
        harness.order("c1", at: "2026-01-01T00:00:00Z")
        _ = harness.drain()
        #expect(throws: SegmentDefinitionError.self) {
            try harness.pipeline.engine.reload(segments: [.init(name: "buyer", rule: "oders_total >= 1")])
        }
        #expect(harness.drain().isEmpty)
        #expect(harness.isMember("c1", "buyer"))
        #expect(harness.pipeline.engine.segments.map(\.rule.description) == ["orders_total >= 1"])
    }
}
