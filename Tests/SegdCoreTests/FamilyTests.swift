import Foundation
import SegdCore
import Testing

@Suite("Segment families")
struct FamilyTests {
    static let lifecycle: [EngineConfiguration.Segment] = [
        .init(name: "churned", rule: "days_since_last_seen >= 60", family: "life"),
        .init(name: "at_risk", rule: "orders_total >= 1 and days_since_last_order >= 30", family: "life"),
        .init(name: "active", rule: "orders_total >= 1", family: "life"),
        .init(name: "prospect", rule: "true", family: "life"),
        .init(name: "engaged", rule: "segment(active) and clicks_7d >= 2"),
    ]

    @Test("a customer is in exactly one segment of a family, the first whose rule holds")
    func firstMatchWins() throws {
        var harness = try EngineHarness(definitions: Self.lifecycle)
        harness.click("c1", at: "2026-01-01T00:00:00Z")
        let first = harness.drain()
        #expect(first.map(\.topic) == ["segment.prospect.enter"])
        #expect(first[0].object["family"] as? String == "life")
        #expect(first[0].object["previous"] is NSNull)
        #expect(first[0].object["current"] as? String == "prospect")
        harness.order("c1", at: "2026-01-02T00:00:00Z")
        let move = harness.drain()
        #expect(move.map(\.topic) == ["segment.prospect.exit", "segment.active.enter"])
        for message in move {
            #expect(message.object["previous"] as? String == "prospect")
            #expect(message.object["current"] as? String == "active")
        }
        #expect(!harness.isMember("c1", "prospect"))
    }

    @Test("time moves a customer through the family by timer: active, at_risk, churned")
    func timeMovesThroughFamily() throws {
        var harness = try EngineHarness(definitions: Self.lifecycle)
        harness.order("c1", at: "2026-01-01T00:00:00Z")
        _ = harness.drain()
        harness.advance(to: "2026-12-31T00:00:00Z")
        let moves = harness.drain()
        #expect(moves.map(\.topic) == [
            "segment.active.exit", "segment.at_risk.enter", "segment.at_risk.exit", "segment.churned.enter",
        ])
        #expect(moves.map(\.ts) == [
            "2026-01-31T00:00:00.000Z", "2026-01-31T00:00:00.000Z", "2026-03-02T00:00:00.000Z", "2026-03-02T00:00:00.000Z",
        ])
        #expect(moves.allSatisfy { $0.cause == "timer" })
    }

    @Test("free-standing segments may read family members, and carry no family fields")
    func freeStandingReadsFamily() throws {
        var harness = try EngineHarness(definitions: Self.lifecycle)
        harness.order("c1", at: "2026-01-01T00:00:00Z")
        harness.click("c1", at: "2026-01-01T01:00:00Z")
        harness.click("c1", at: "2026-01-01T02:00:00Z")
        let engaged = try #require(harness.drain().last)
        #expect(engaged.topic == "segment.engaged.enter")
        #expect(engaged.object["family"] == nil)
    }

    @Test("a member referring to a later member of its own family is a cycle")
    func selfReferenceIsRefused() {
        #expect(throws: SegmentDefinitionError.self) {
            _ = try EngineHarness(definitions: [
                .init(name: "a", rule: "segment(b)", family: "f"),
                .init(name: "b", rule: "true", family: "f"),
            ])
        }
    }
}
