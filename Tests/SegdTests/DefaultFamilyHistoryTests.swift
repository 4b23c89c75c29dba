import Foundation
import Segd
import SegdCore
import Testing

/// The default config's built-in families, driven through hand-made histories in event time.
@Suite("Default families on hand-made histories")
struct DefaultFamilyHistoryTests {
    /// A pipeline on deploy/segd.toml with events given as JSON lines, and the memberships read back.
    struct Shop {
        var pipeline: Pipeline

        init() throws {
            let configuration = try SegdConfiguration.load(path: defaultConfigPath)
            pipeline = try Pipeline(configuration: configuration.engine, maxPayloadBytes: 65_536)
        }

        mutating func send(_ topic: String, _ fields: String, at ts: String, id: String) {
            let json = #"{"event_id":"\#(id)","customer_id":"c","ts":"\#(ts)",\#(fields)}"#
            var topicCopy = topic
            var jsonCopy = json
            topicCopy.withUTF8 { topicBytes in
                jsonCopy.withUTF8 {
                    pipeline.ingest(topic: UnsafeRawBufferPointer(topicBytes), payload: UnsafeRawBufferPointer($0), receivedAt: 4_102_444_800_000)
                }
            }
            pipeline.engine.outbound.removeAll()
        }

        mutating func order(_ ts: String, dollars: Int, id: String) {
            send("orders", #""amount":\#(dollars * 100),"currency":"USD""#, at: ts, id: id)
        }

        mutating func advance(to ts: String) {
            pipeline.engine.advanceClock(to: EventTimeText.parse(ts)!)
            pipeline.engine.outbound.removeAll()
        }

        /// The customer's segment in `family`, or nil.
        func member(of family: String) -> String? {
            guard let customer = pipeline.engine.store.index.lookup("c") else { return nil }
            return pipeline.engine.segments.enumerated().first { index, segment in
                segment.family == family && pipeline.engine.store.isMember(customer, segment: index)
            }?.element.name
        }

        func isMember(_ name: String) -> Bool {
            guard let customer = pipeline.engine.store.index.lookup("c"),
                  let index = pipeline.engine.segments.firstIndex(where: { $0.name == name }) else { return false }
            return pipeline.engine.store.isMember(customer, segment: index)
        }
    }

    @Test("lifecycle: prospect, new, active, at_risk, churned, reactivated")
    func lifecycle() throws {
        var shop = try Shop()
        shop.send("clicks", #""action":"view""#, at: "2026-01-01T09:00:00Z", id: "k1")
        #expect(shop.member(of: "lifecycle") == "prospect")
        shop.order("2026-01-02T09:00:00Z", dollars: 40, id: "o1")
        #expect(shop.member(of: "lifecycle") == "new")
        shop.order("2026-01-10T09:00:00Z", dollars: 40, id: "o2")
        #expect(shop.member(of: "lifecycle") == "active")
        // at_risk is the churn-risk state: from the first millisecond P(alive) is below 0.5.
        let model = try #require(shop.pipeline.engine.configuration.churn?.model)
        let summary = try #require(shop.pipeline.engine.store.index.lookup("c").map { shop.pipeline.engine.store.profile($0).purchaseSummary })
        let due = try #require(model.probabilityAliveCrossingTime(for: summary, threshold: 0.5))
        shop.pipeline.engine.advanceClock(to: due - 1)
        #expect(shop.member(of: "lifecycle") == "active")
        shop.pipeline.engine.advanceClock(to: due)
        #expect(shop.member(of: "lifecycle") == "at_risk", "P(alive) fell below 0.5")
        shop.advance(to: "2026-07-09T08:59:59.999Z")
        #expect(shop.member(of: "lifecycle") == "at_risk")
        shop.advance(to: "2026-07-09T09:00:00Z")
        #expect(shop.member(of: "lifecycle") == "churned", "at risk, and 180 days after the last order")
        shop.order("2026-08-01T09:00:00Z", dollars: 40, id: "o3")
        #expect(shop.member(of: "lifecycle") == "reactivated", "the order lifted P(alive) above 0.6")
        shop.advance(to: "2026-08-31T09:00:00Z")
        #expect(shop.member(of: "lifecycle") == "active", "30 days after coming back")
    }

    @Test("frequency: potential customer, occasional and frequent buyer")
    func frequency() throws {
        var shop = try Shop()
        shop.send("clicks", #""action":"view""#, at: "2026-01-01T09:00:00Z", id: "k1")
        #expect(shop.member(of: "frequency") == "potential_customer")
        shop.order("2026-01-02T09:00:00Z", dollars: 10, id: "o1")
        #expect(shop.member(of: "frequency") == "occasional_buyer")
        shop.order("2026-01-20T09:00:00Z", dollars: 10, id: "o2")
        shop.order("2026-02-20T09:00:00Z", dollars: 10, id: "o3")
        #expect(shop.member(of: "frequency") == "frequent_buyer")
        shop.advance(to: "2026-04-02T00:00:00Z")
        #expect(shop.member(of: "frequency") == "occasional_buyer", "the first order left the 90-day window")
    }

    @Test("value tier and vip from spend over 365 days")
    func valueTier() throws {
        var shop = try Shop()
        shop.order("2026-01-02T09:00:00Z", dollars: 100, id: "o1")
        #expect(shop.member(of: "value_tier") == "standard_value")
        shop.order("2026-01-03T09:00:00Z", dollars: 250, id: "o2")
        #expect(shop.member(of: "value_tier") == "high_value")
        shop.order("2026-01-04T09:00:00Z", dollars: 700, id: "o3")
        #expect(shop.member(of: "value_tier") == "top_value")
        #expect(shop.isMember("vip"), "top value and three orders in 90 days")
        shop.advance(to: "2027-01-03T12:00:00Z")
        #expect(shop.member(of: "value_tier") == "high_value", "only the 700 dollars of 2026-01-04 are within 365 days")
        #expect(!shop.isMember("vip"))
    }

    @Test("satisfaction: a low rating makes a detractor; good ratings later a promoter")
    func satisfaction() throws {
        var shop = try Shop()
        shop.send("reviews", #""rating":2"#, at: "2026-01-01T09:00:00Z", id: "r1")
        #expect(shop.member(of: "satisfaction") == "detractor")
        shop.advance(to: "2026-04-02T00:00:00Z")
        #expect(shop.member(of: "satisfaction") == nil, "the rating left the 90-day window")
        shop.send("reviews", #""rating":5"#, at: "2026-04-03T09:00:00Z", id: "r2")
        shop.send("reviews", #""rating":4"#, at: "2026-04-04T09:00:00Z", id: "r3")
        #expect(shop.member(of: "satisfaction") == "promoter")
    }

    @Test("cart abandoner after 2 quiet hours, until an order or 72 hours; window shopper after 10 clicks")
    func browsing() throws {
        var shop = try Shop()
        shop.send("clicks", #""action":"add_to_cart""#, at: "2026-01-01T09:00:00Z", id: "k1")
        #expect(!shop.isMember("cart_abandoner"))
        shop.advance(to: "2026-01-01T11:00:00Z")
        #expect(shop.isMember("cart_abandoner"))
        shop.advance(to: "2026-01-04T09:00:00Z")
        #expect(!shop.isMember("cart_abandoner"), "72 hours on, the cart is stale")
        for index in 0..<10 {
            shop.send("clicks", #""action":"view""#, at: "2026-01-05T09:0\(index):00Z", id: "v\(index)")
        }
        #expect(shop.isMember("window_shopper"))
        shop.order("2026-01-05T10:00:00Z", dollars: 10, id: "o1")
        #expect(!shop.isMember("window_shopper"))
    }
}
