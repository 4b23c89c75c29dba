@testable import SegdCore
import Testing

/// A customer is woken by a bucket leaving a window only when what is left can change a rule's
/// answer (``WindowWatch``); these tests check what is watched, and that waking less never loses
/// or moves an alert.
@Suite("Window wake-ups")
struct WindowWakeTests {
    private static let layout = FeatureLayout(windows: ["24h", "7d", "30d"].map { try! WindowSpec(parsing: $0) })

    private static func watches(_ rules: [String]) throws -> [WindowWatch] {
        try SegmentCatalog(rules.enumerated().map { EngineConfiguration.Segment(name: "s\($0.offset)", rule: $0.element) }, layout: layout).windowWatches
    }

    @Test("a sum compared with constants must fall to the next constant below it, or below itself when it is one")
    func fallToTheNextLevel() {
        let clicks = WindowWatch.Watched(counter: .clicks, levels: [3, 10])
        #expect(clicks.fall(from: 12) == .atOrBelow(10))
        #expect(clicks.fall(from: 10) == .below(10), "a comparison with 10 changes as soon as the sum leaves it")
        #expect(clicks.fall(from: 7) == .atOrBelow(3))
        #expect(clicks.fall(from: 2) == nil, "no constant below: no fall changes an answer")
        #expect(clicks.fall(from: 0) == nil, "nothing left to fall")
        let any = WindowWatch.Watched(counter: .reviews, levels: nil)
        #expect(any.fall(from: 2) == .below(2))
        #expect(FallBound.atOrBelow(3).isReached(by: 3) && !FallBound.below(3).isReached(by: 3))
    }

    @Test("each window read gets one watch: sums with their constants, ratios by their parts, active days by every bucket")
    func watchesFromRules() throws {
        let watches = try Self.watches([
            "clicks_7d >= 10 and orders_30d == 0", "clicks_7d < 3", "avg_rating_30d >= 4.5", "conversion_24h > 0.1",
            "spend_30d * 2 > 5", "active_days_24h >= 2", "orders_total >= 1",
        ])
        #expect(watches.map(\.window) == [0, 1, 2])
        let day = watches[0]
        #expect(day.everyBucket)
        #expect(day.counters.map(\.counter) == [.orders, .clicks] && day.counters.allSatisfy { $0.levels == nil })
        let week = watches[1]
        #expect(!week.everyBucket)
        #expect(week.counters.count == 1 && week.counters[0].counter == .clicks && week.counters[0].levels == [3, 10])
        let month = watches[2]
        let byCounter = Dictionary(uniqueKeysWithValues: month.counters.map { ($0.counter, $0.levels) })
        #expect(byCounter.count == 3)
        #expect(byCounter[.orders] == .some([0]))
        #expect(byCounter[.reviews] == .some(nil), "an average changes whenever a review leaves")
        #expect(byCounter[.spend] == .some(nil), "arithmetic: every fall matters")
    }

    @Test("waking only where a rule can flip publishes exactly the alerts of waking at every bucket that leaves")
    func sameAlertsAsWakingAlways() throws {
        // Mostly one rule per window, so that a wake-up missing for one of them shows.
        let windows = ["24h", "3d", "5d", "7d", "10d", "14d", "30d", "45d", "60d", "90d"]
        let rules = [
            ("busy_day", "clicks_24h > 2"), ("few_items", "items_3d < 4 and items_3d > 0"), ("carting", "carts_5d * 2 >= 3"),
            ("browsing", "clicks_7d between 3 and 8"), ("two_sessions", "sessions_10d != 2"),
            ("mid_spender", "spend_14d >= 25.5 and spend_14d < 60"), ("happy", "avg_rating_30d >= 4"),
            ("unhappy", "min_rating_30d <= 2"), ("reviewing", "reviews_30d between 1 and 2"), ("big_baskets", "aov_45d > 20"),
            ("converting", "conversion_60d >= 0.5"), ("one_order", "orders_90d == 1"), ("loyal", "segment(one_order) and clicks_90d >= 5"),
        ]
        // Reading every window's active days wakes the customer at every bucket that leaves, as
        // before watches; the rule always holds, so it adds one enter per customer and nothing else.
        let probe = ("probe", windows.map { "active_days_\($0) >= 0" }.joined(separator: " and "))
        var watched = try EngineHarness(windows: windows, segments: rules)
        var always = try EngineHarness(windows: windows, segments: rules + [probe])
        var random = SeededRandom(seed: 11)
        var time: Int64 = 1_767_225_600_000
        for index in 0..<4_000 {
            // Bursts within hours, and quiet spells of days, so windows fill and drain.
            time += random.next() % 20 == 0 ? Int64(random.next() % (9 * 86_400_000)) : Int64(random.next() % 3_600_000)
            let customer = "c\(random.next() % 12)"
            let json: String
            switch random.next() % 10 {
            case 0...5:
                let action = ["view", "search", "add_to_cart"][Int(random.next() % 3)]
                json = #"{"event_id":"e\#(index)","customer_id":"\#(customer)","ts":\#(time),"action":"\#(action)"}"#
            case 6...8:
                json = #"{"event_id":"e\#(index)","customer_id":"\#(customer)","ts":\#(time),"amount":\#(random.next() % 4_000),"currency":"USD","items":\#(1 + random.next() % 3)}"#
            default:
                json = #"{"event_id":"e\#(index)","customer_id":"\#(customer)","ts":\#(time),"rating":\#(1 + random.next() % 5)}"#
            }
            let topic = json.contains("rating") ? "reviews" : json.contains("amount") ? "orders" : "clicks"
            watched.send(topic, json)
            always.send(topic, json)
        }
        watched.pipeline.engine.advanceClock(to: time + 60 * 86_400_000)
        always.pipeline.engine.advanceClock(to: time + 60 * 86_400_000)
        func alerts(_ messages: [Published]) -> [String] {
            // Everything but the leading `{"seq":N`, which the probe's own alerts shift.
            messages.filter { !$0.topic.hasPrefix("segment.probe.") }.map { "\($0.topic) \($0.json.drop { $0 != "," })" }
        }
        let expected = alerts(always.drain())
        #expect(expected.filter { $0.contains(#""cause":"timer""#) }.count > 500, "the stream makes timers matter")
        #expect(alerts(watched.drain()) == expected)
    }
}
