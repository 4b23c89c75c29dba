import Foundation
import SegdCore
import Testing

@Suite("Features")
struct FeatureTests {
    @Test("sessions start at a customer's first click and after 30 minutes without one")
    func sessions() throws {
        var harness = try EngineHarness(segments: [])
        for time in ["10:00:00", "10:29:59", "10:59:58", "11:30:00"] {
            harness.click("c1", at: "2026-02-01T\(time)Z")
        }
        harness.click("c2", at: "2026-02-01T11:40:00Z")
        #expect(harness.feature("sessions_total", of: "c1") == 2)
        #expect(harness.feature("sessions_24h", of: "c1") == 2)
        #expect(harness.feature("clicks_24h", of: "c1") == 4)
    }

    @Test("order value, conversion, active days and purchase days")
    func derivedMeasures() throws {
        var harness = try EngineHarness(segments: [])
        harness.click("c1", at: "2026-02-01T10:00:00Z")
        harness.click("c1", at: "2026-02-01T10:01:00Z")
        harness.order("c1", at: "2026-02-01T10:02:00Z", amount: 1000, id: "a")
        harness.order("c1", at: "2026-02-01T18:00:00Z", amount: 3001, id: "b")
        harness.order("c1", at: "2026-02-05T09:00:00Z", amount: 2000, id: "c")
        harness.click("c1", at: "2026-02-11T09:00:00Z")
        #expect(harness.feature("aov_total", of: "c1") == 20.003333333333334)
        #expect(harness.feature("aov_7d", of: "c1") == 20, "the 7 days ending 02-11 start on 02-05")
        #expect(harness.feature("aov_24h", of: "c1")?.isNaN == true)
        #expect(harness.feature("conversion_total", of: "c1") == 1)
        #expect(harness.feature("conversion_24h", of: "c1") == 0)
        #expect(harness.feature("active_days_total", of: "c1") == 3)
        #expect(harness.feature("active_days_30d", of: "c1") == 3)
        #expect(harness.feature("active_days_7d", of: "c1") == 2)
        #expect(harness.feature("purchase_days_total", of: "c1") == 2)
        #expect(harness.feature("interpurchase_days", of: "c1") == 4)
    }

    @Test("history features count whole days from their anchor at the evaluation time")
    func historyFeatures() throws {
        var harness = try EngineHarness(segments: [])
        harness.click("c1", at: "2026-02-01T12:00:00Z")
        harness.order("c1", at: "2026-02-03T12:00:00Z")
        harness.advance(to: "2026-02-13T11:59:59Z")
        #expect(harness.feature("days_since_last_order", of: "c1") == 9)
        #expect(harness.feature("days_since_last_seen", of: "c1") == 9)
        #expect(harness.feature("days_since_first_order", of: "c1") == 9)
        #expect(harness.feature("tenure_days", of: "c1") == 11)
        harness.click("c2", at: "2026-02-13T12:00:00Z")
        #expect(harness.feature("days_since_last_order", of: "c2")?.isNaN == true)
    }

    @Test("a recency rule fires from a timer on the exact day, without any event, and a purchase resets it")
    func recencyTimer() throws {
        var harness = try EngineHarness(segments: [("lapsed", "days_since_last_order >= 30")])
        harness.order("c1", at: "2026-01-01T08:00:00Z")
        harness.advance(to: "2026-01-31T07:59:59.999Z")
        #expect(harness.drain().isEmpty)
        harness.advance(to: "2026-03-01T00:00:00Z")
        let enter = try #require(harness.drain().first)
        #expect(enter.topic == "segment.lapsed.enter")
        #expect(enter.ts == "2026-01-31T08:00:00.000Z")
        #expect(enter.cause == "timer")
        #expect(enter.features["days_since_last_order"] as? Int == 30)
        harness.order("c1", at: "2026-03-02T00:00:00Z")
        let exit = try #require(harness.drain().first)
        #expect(exit.topic == "segment.lapsed.exit")
        #expect(exit.cause == "event")
    }

    @Test("a customer is woken only at threshold days, not daily")
    func recencyTimersAreSparse() throws {
        var harness = try EngineHarness(segments: [("quiet", "days_since_last_seen between 10 and 20")])
        harness.click("c1", at: "2026-01-01T00:00:00Z")
        harness.advance(to: "2026-01-10T23:59:59Z")
        #expect(harness.drain().isEmpty)
        harness.advance(to: "2026-03-01T00:00:00Z")
        #expect(harness.drain().map(\.ts) == ["2026-01-11T00:00:00.000Z", "2026-01-22T00:00:00.000Z"])
    }

    @Test("an open cart is abandoned by timer after the configured hours, and closed by an order")
    func cartAbandonment() throws {
        var harness = try EngineHarness(segments: [("abandoned", "cart_open == 1 and hours_since_last_cart >= 2")])
        harness.click("c1", at: "2026-02-01T10:15:00Z", action: "add_to_cart")
        harness.advance(to: "2026-02-01T12:14:59.999Z")
        #expect(harness.drain().isEmpty)
        harness.advance(to: "2026-02-02T00:00:00Z")
        let enter = try #require(harness.drain().first)
        #expect(enter.ts == "2026-02-01T12:15:00.000Z")
        #expect(enter.cause == "timer")
        harness.order("c1", at: "2026-02-02T09:00:00Z")
        #expect(harness.drain().map(\.topic) == ["segment.abandoned.exit"])
        #expect(harness.feature("cart_open", of: "c1") == 0)
    }

    @Test("the gap before the latest purchase day, also when an order arrives out of order")
    func lastGap() throws {
        var harness = try EngineHarness(lateness: 5 * 86_400_000, segments: [])
        harness.order("c1", at: "2026-01-01T00:00:00Z", id: "a")
        #expect(harness.feature("last_gap_days", of: "c1")?.isNaN == true)
        harness.order("c1", at: "2026-04-11T00:00:00Z", id: "b")
        #expect(harness.feature("last_gap_days", of: "c1") == 100)
        harness.order("c1", at: "2026-04-08T00:00:00Z", id: "c")
        #expect(harness.feature("last_gap_days", of: "c1") == 3)
        #expect(harness.feature("purchase_days_total", of: "c1") == 3)
    }

    @Test("top categories: the most frequent first, at most three, from clicks and orders")
    func topCategories() throws {
        var harness = try EngineHarness(segments: [])
        let categories = ["books", "music", "books", "toys", "books", "music", "garden"]
        for (index, category) in categories.enumerated() {
            harness.send("clicks", #"{"event_id":"k\#(index)","customer_id":"c1","ts":"2026-01-01T00:00:0\#(index)Z","action":"view","category":"\#(category)"}"#)
        }
        harness.send("orders", #"{"event_id":"o1","customer_id":"c1","ts":"2026-01-01T00:00:09Z","amount":1,"currency":"USD","category":"music"}"#)
        let engine = harness.pipeline.engine
        let customer = try #require(engine.store.index.lookup("c1"))
        // Space-saving: "garden" replaced the smallest slot ("toys", 1) and counts 2, ahead of nothing else.
        #expect(engine.store.topCategories.top(customer) == ["books", "music", "garden"])
        var writer = JSONWriter()
        ProfileExport.encode(customer, of: engine, into: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self).contains(#""top_categories":["books","music","garden"]"#))
    }

    @Test("every documented feature name exists, for each configured window and the lifetime")
    func names() throws {
        let layout = FeatureLayout(windows: [try WindowSpec(parsing: "1h"), try WindowSpec(parsing: "365d")])
        for measure in FeatureLayout.Measure.allCases {
            for suffix in ["1h", "365d", "total"] {
                #expect(layout.slot(named: "\(measure.name)_\(suffix)") != nil)
            }
        }
        for feature in FeatureLayout.HistoryFeature.allCases {
            #expect(layout.slot(named: feature.name) == layout.slot(feature))
        }
        #expect(Set(layout.names).count == layout.names.count)
    }
}
