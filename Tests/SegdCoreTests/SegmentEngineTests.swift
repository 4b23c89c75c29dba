import Foundation
@testable import SegdCore
import Testing

@Suite("Segment engine")
struct SegmentEngineTests {
    @Test("an order enters a windowed segment at the event's time, with the event as cause")
    func orderEntersSegment() throws {
        var harness = try EngineHarness(segments: [("recent_buyer", "orders_7d >= 1")])
        harness.order("c1", at: "2026-01-05T10:00:00Z", id: "o-1")
        let messages = harness.drain()
        #expect(messages.count == 1)
        let enter = try #require(messages.first)
        #expect(enter.topic == "segment.recent_buyer.enter")
        #expect(enter.object["type"] as? String == "enter")
        #expect(enter.customer == "c1")
        #expect(enter.ts == "2026-01-05T10:00:00.000Z")
        #expect(enter.cause == "event")
        #expect(enter.object["event_id"] as? String == "o-1")
        #expect(enter.features["orders_7d"] as? Int == 1)
        #expect(enter.seq == 1)
    }

    @Test("a customer leaves a 7-day window segment exactly when the order's day bucket slides out, by timer")
    func timerExitAtBucketBoundary() throws {
        var harness = try EngineHarness(segments: [("recent_buyer", "orders_7d >= 1")])
        harness.order("c1", at: "2026-01-05T10:00:00Z")
        _ = harness.drain()
        harness.advance(to: "2026-01-11T23:59:59.999Z")
        #expect(harness.drain().isEmpty, "still inside the 7 day buckets 01-05 … 01-11")
        harness.advance(to: "2026-01-20T00:00:00Z")
        let messages = harness.drain()
        #expect(messages.count == 1)
        let exit = try #require(messages.first)
        #expect(exit.topic == "segment.recent_buyer.exit")
        #expect(exit.ts == "2026-01-12T00:00:00.000Z")
        #expect(exit.cause == "timer")
        #expect(exit.object["event_id"] == nil)
        #expect(exit.features["orders_7d"] as? Int == 0)
    }

    @Test("an hour window covers the N hour buckets ending with the clock's hour")
    func hourWindowEdges() throws {
        var harness = try EngineHarness(windows: ["24h"], segments: [("cart", "carts_24h >= 1 and orders_24h == 0")])
        harness.click("c1", at: "2026-03-01T10:59:59Z", action: "add_to_cart")
        #expect(harness.drain().map(\.topic) == ["segment.cart.enter"])
        // Hour bucket 10 of 03-01 is one of the 24 buckets ending with hour 09 of 03-02, not with hour 10.
        harness.advance(to: "2026-03-02T09:59:59.999Z")
        #expect(harness.drain().isEmpty)
        harness.advance(to: "2026-03-02T10:00:00Z")
        let exit = harness.drain()
        #expect(exit.map(\.topic) == ["segment.cart.exit"])
        #expect(exit.first?.ts == "2026-03-02T10:00:00.000Z")
    }

    @Test("an order inside the window removes the customer from a not-ordered segment immediately")
    func orderExitsImmediately() throws {
        var harness = try EngineHarness(windows: ["24h"], segments: [("cart", "carts_24h >= 1 and orders_24h == 0")])
        harness.click("c1", at: "2026-03-01T10:00:00Z", action: "add_to_cart")
        harness.order("c1", at: "2026-03-01T10:05:00Z")
        let messages = harness.drain()
        #expect(messages.map(\.topic) == ["segment.cart.enter", "segment.cart.exit"])
        #expect(messages.last?.cause == "event")
    }

    @Test("segments that reference other segments are evaluated after them, in the same step")
    func segmentReferences() throws {
        var harness = try EngineHarness(segments: [
            ("vip", "segment(big) and segment(frequent)"),
            ("big", "spend_90d >= 50"),
            ("frequent", "orders_90d >= 2"),
        ])
        harness.order("c1", at: "2026-01-01T00:00:00Z", amount: 3000)
        #expect(harness.drain().map(\.topic) == [])
        harness.order("c1", at: "2026-01-02T00:00:00Z", amount: 3000)
        let topics = harness.drain().map(\.topic)
        #expect(topics == ["segment.big.enter", "segment.frequent.enter", "segment.vip.enter"])
        #expect(harness.isMember("c1", "vip"))
    }

    @Test("one evaluation's changes go out exits first, then enters, each in evaluation order, across membership words")
    func changesInEvaluationOrder() throws {
        // 71 segments fill two membership words. The first listed reads the 70th, which is
        // evaluated first, then the reader, then the rest in config order; the last, in the
        // second word, is left when the others are entered.
        let buyers = (1...69).map { ("s\($0)", "orders_90d >= 1") }
        var harness = try EngineHarness(segments: [("vip", "segment(s69)")] + buyers + [("browser", "orders_90d == 0")])
        harness.click("c1", at: "2026-01-01T00:00:00Z")
        #expect(harness.drain().map(\.topic) == ["segment.browser.enter"])
        harness.order("c1", at: "2026-01-01T01:00:00Z")
        let enters = (["s69", "vip"] + buyers.dropLast().map(\.0)).map { "segment.\($0).enter" }
        #expect(harness.drain().map(\.topic) == ["segment.browser.exit"] + enters)
    }

    @Test("spend is summed in cents: thresholds do not depend on summation order")
    func spendIsExact() throws {
        var harness = try EngineHarness(segments: [("exact", "spend_total == 0.3")])
        harness.order("c1", at: "2026-01-01T00:00:00Z", amount: 10, id: "a")
        harness.order("c1", at: "2026-01-01T00:00:01Z", amount: 20, id: "b")
        #expect(harness.feature("spend_total", of: "c1") == 0.3)
        #expect(harness.isMember("c1", "exact"))
    }

    @Test("an out-of-order event within the allowed lateness lands in its own bucket")
    func outOfOrderEvent() throws {
        var harness = try EngineHarness(lateness: 10 * 86_400_000, segments: [])
        harness.order("c1", at: "2026-01-10T00:00:00Z", id: "late")
        harness.order("c1", at: "2026-01-01T00:00:00Z", id: "early")
        harness.advance(to: "2026-01-10T00:00:00Z")
        #expect(harness.feature("orders_7d", of: "c1") == 1)
        #expect(harness.feature("orders_30d", of: "c1") == 2)
        #expect(harness.feature("orders_total", of: "c1") == 2)
    }

    @Test("averages and minimums over nothing are null, and match no comparison")
    func emptyAggregatesAreNull() throws {
        var harness = try EngineHarness(segments: [("unhappy", "min_rating_30d <= 2")])
        harness.click("c1", at: "2026-01-01T00:00:00Z")
        #expect(harness.feature("min_rating_30d", of: "c1")?.isNaN == true)
        #expect(!harness.isMember("c1", "unhappy"))
        harness.review("c1", at: "2026-01-02T00:00:00Z", rating: 2)
        let enter = try #require(harness.drain().first)
        #expect(enter.features["min_rating_30d"] as? Int == 2)
        harness.review("c1", at: "2026-01-03T00:00:00Z", rating: 5)
        #expect(harness.feature("avg_rating_30d", of: "c1") == 3.5)
    }

    @Test("an order in another currency is dead-lettered with reason currency and changes nothing")
    func otherCurrencyDeadLettered() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_total >= 1")])
        harness.order("c1", at: "2026-01-01T00:00:00Z", currency: "EUR")
        let messages = harness.drain()
        #expect(messages.map(\.topic) == ["deadletter"])
        #expect(messages.first?.object["reason"] as? String == "currency")
        #expect(harness.pipeline.engine.store.count == 0)
    }

    @Test("seq is one global, strictly increasing sequence across every outbound topic")
    func sequenceIsGlobal() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_7d >= 1")])
        harness.order("c1", at: "2026-01-01T00:00:00Z")
        harness.send("orders", "{not json")
        harness.order("c2", at: "2026-01-02T00:00:00Z")
        harness.advance(to: "2026-02-01T00:00:00Z")
        let seqs = harness.drain().map(\.seq)
        #expect(seqs == [1, 2, 3, 4, 5])
    }

    @Test("timers fire in due-time order and each evaluates at its own due time")
    func timersFireInOrder() throws {
        var harness = try EngineHarness(lateness: 3 * 86_400_000, segments: [("buyer", "orders_7d >= 1")])
        harness.order("b", at: "2026-01-03T12:00:00Z")
        harness.order("a", at: "2026-01-01T12:00:00Z")
        harness.order("c", at: "2026-01-03T08:00:00Z")
        _ = harness.drain()
        harness.advance(to: "2026-03-01T00:00:00Z")
        let exits = harness.drain()
        #expect(exits.map(\.customer) == ["a", "b", "c"])
        #expect(exits.map(\.ts) == ["2026-01-08T00:00:00.000Z", "2026-01-10T00:00:00.000Z", "2026-01-10T00:00:00.000Z"])
    }

    @Test("a new event reschedules the customer's timer: no exit while activity continues")
    func timerRescheduled() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_7d >= 1")])
        harness.order("c1", at: "2026-01-01T00:00:00Z")
        harness.order("c1", at: "2026-01-06T00:00:00Z")
        _ = harness.drain()
        harness.advance(to: "2026-01-12T23:00:00Z")
        #expect(harness.drain().isEmpty)
        harness.advance(to: "2026-01-13T00:00:00Z")
        #expect(harness.drain().map(\.ts) == ["2026-01-13T00:00:00.000Z"])
    }

    @Test("the allowed lateness holds the clock back, so a timer waits for the watermark")
    func latenessDelaysTimers() throws {
        var harness = try EngineHarness(lateness: 3_600_000, segments: [("buyer", "orders_7d >= 1")])
        harness.order("c1", at: "2026-01-01T00:00:00Z")
        _ = harness.drain()
        harness.click("c2", at: "2026-01-08T00:30:00Z")
        #expect(harness.drain().isEmpty, "watermark 2026-01-07T23:30 is before the 01-08 expiry")
        harness.click("c2", at: "2026-01-08T01:00:00Z")
        #expect(harness.drain().map(\.topic) == ["segment.buyer.exit"])
    }

    @Test("an event behind the clock is dead-lettered as late and changes nothing")
    func lateEvent() throws {
        var harness = try EngineHarness(lateness: 3_600_000, segments: [("buyer", "orders_total >= 1")])
        harness.click("c1", at: "2026-01-01T12:00:00Z")
        harness.order("c2", at: "2026-01-01T11:00:00Z")
        #expect(harness.drain().map(\.topic) == ["segment.buyer.enter"], "exactly at the clock is on time")
        harness.order("c3", at: "2026-01-01T10:59:59.999Z")
        let letter = try #require(harness.drain().first)
        #expect(letter.topic == "deadletter")
        #expect(letter.object["reason"] as? String == "late")
        #expect((letter.object["detail"] as? String)?.contains("2026-01-01T11:00:00.000Z") == true)
        #expect(harness.pipeline.engine.store.index.lookup("c3") == nil)
    }

    @Test("an event further ahead of its receipt than the allowed skew is dead-lettered as future")
    func futureEvent() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_total >= 1")])
        let receipt = EventTimeText.parse("2026-01-01T00:00:00Z")!
        harness.send("orders", #"{"event_id":"o-1","customer_id":"c1","ts":"2026-01-01T01:00:00Z","amount":1,"currency":"USD"}"#, receivedAt: receipt)
        #expect(harness.drain().map(\.topic) == ["segment.buyer.enter"], "one hour ahead is the default bound")
        harness.send("orders", #"{"event_id":"o-2","customer_id":"c2","ts":"2026-01-01T01:00:00.001Z","amount":1,"currency":"USD"}"#, receivedAt: receipt)
        let letter = try #require(harness.drain().first)
        #expect(letter.object["reason"] as? String == "future")
        #expect(harness.pipeline.engine.newestEventTime == EventTimeText.parse("2026-01-01T01:00:00Z"), "a refused event does not move the clock")
    }

    @Test("a retried event_id is dropped within the dedup horizon and accepted again after it")
    func duplicates() throws {
        var harness = try EngineHarness(segments: [])
        harness.order("c1", at: "2026-01-01T00:00:00Z", id: "o-1")
        harness.order("c1", at: "2026-01-01T00:00:00Z", id: "o-1")
        let letter = try #require(harness.drain().first)
        #expect(letter.object["reason"] as? String == "duplicate")
        #expect(harness.feature("orders_total", of: "c1") == 1)
        harness.click("c9", at: "2026-01-02T00:00:00.001Z")
        harness.order("c1", at: "2026-01-02T00:00:00.001Z", id: "o-1")
        #expect(harness.drain().isEmpty, "24 h later the id is forgotten")
        #expect(harness.feature("orders_total", of: "c1") == 2)
    }

    @Test("when the customer ids fill what the index holds, a new customer's event is refused and changes nothing; known ones go on")
    func customerCapacity() throws {
        var harness = try EngineHarness(segments: [("buyer", "orders_total >= 1")])
        harness.pipeline.engine.limitCustomerIDBytes(to: 4)
        harness.order("c1", at: "2026-01-01T00:00:00Z", id: "o-1")
        harness.order("c2", at: "2026-01-01T00:00:01Z", id: "o-2")
        #expect(harness.drain().map(\.topic) == ["segment.buyer.enter", "segment.buyer.enter"])
        harness.order("c3", at: "2026-01-01T00:00:02Z", id: "o-3")
        let letter = try #require(harness.drain().first)
        #expect(letter.topic == "deadletter" && letter.object["reason"] as? String == "capacity")
        #expect((letter.object["detail"] as? String)?.contains(#"customer_id "c3" is new"#) == true)
        #expect(harness.pipeline.engine.store.count == 2)
        #expect(harness.pipeline.engine.newestEventTime == EventTimeText.parse("2026-01-01T00:00:01Z"), "a refused event does not move the clock")
        harness.order("c1", at: "2026-01-01T00:00:03Z", id: "o-3")
        #expect(harness.drain().isEmpty, "o-3 was refused, not accepted: the same id for a known customer is no duplicate")
        #expect(harness.feature("orders_total", of: "c1") == 2)
    }

    @Test("past the dedup capacity the oldest id is forgotten early and counted: its retry is accepted, a newer one's still dropped")
    func dedupCapacity() throws {
        var harness = try EngineHarness(dedupCapacity: 2, definitions: [])
        for (number, customer) in ["c1", "c2", "c3"].enumerated() {
            harness.order(customer, at: "2026-01-01T00:00:0\(number)Z", id: "o-\(number)")
        }
        #expect(harness.drain().isEmpty)
        #expect(harness.pipeline.engine.dedupRemembered == 2)
        #expect(harness.pipeline.engine.dedupForgottenEarly == 1)
        // Retries stamped when resent (a producer that sets ts at send time), so none is late.
        harness.order("c3", at: "2026-01-01T00:00:02Z", id: "o-2")
        #expect(harness.drain().map { $0.object["reason"] as? String } == ["duplicate"])
        harness.order("c1", at: "2026-01-01T00:00:02Z", id: "o-0")
        #expect(harness.drain().isEmpty, "o-0 was forgotten to make room for o-2")
        #expect(harness.feature("orders_total", of: "c1") == 2)
        #expect(harness.pipeline.engine.dedupForgottenEarly == 2, "remembering o-0 again forgot o-1")
        harness.pipeline.engine.changeDedupCapacity(to: 1)
        #expect(harness.pipeline.engine.configuration.dedupCapacity == 1)
        #expect(harness.pipeline.engine.dedupRemembered == 1)
        #expect(harness.pipeline.engine.dedupForgottenEarly == 3)
        harness.order("c1", at: "2026-01-01T00:00:02Z", id: "o-0")
        #expect(harness.drain().map { $0.object["reason"] as? String } == ["duplicate"], "the newest id is the one kept")
    }

    @Test("the same events give byte-identical outbound messages and summaries")
    func deterministic() throws {
        func run() throws -> ([String], String) {
            var harness = try EngineHarness(segments: [
                ("browser", "clicks_7d >= 5 and orders_30d == 0"), ("buyer", "orders_30d >= 2"),
                ("unhappy", "min_rating_30d <= 2"),
            ])
            var generator = EventGenerator(options: .init(seed: 42, customers: 500))
            var time: Int64 = 1_767_225_600_000
            var lines: [String] = []
            for _ in 0..<20_000 {
                let (kind, json) = generator.next(at: time)
                harness.send(kind.topic, String(decoding: json, as: UTF8.self))
                time += generator.exponentialGap(mean: 60_000)
                lines += harness.drain().map { "\($0.topic)\t\($0.json)" }
            }
            return (lines, EngineSummary.json(harness.pipeline.engine))
        }
        let first = try run()
        let second = try run()
        #expect(first.0.count > 100)
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
    }
}
