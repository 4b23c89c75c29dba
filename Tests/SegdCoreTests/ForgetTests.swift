import Foundation
@testable import SegdCore
import SegdDurability
import Testing

/// Privacy erasure: `forget(customerID:)` publishes the customer's exits, then leaves nothing of
/// them in the engine, its snapshots or its population passes.
@Suite("Forgetting a customer")
struct ForgetTests {
    static func harness() throws -> EngineHarness {
        try EngineHarness(definitions: [
            .init(name: "buyer", rule: "orders_total >= 1"),
            .init(name: "browser", rule: "clicks_total >= 1"),
            .init(name: "big", rule: "spend_total >= 100"),
            .init(name: "first_timer", rule: "orders_total == 1", family: "lifecycle"),
            .init(name: "regular", rule: "orders_total >= 2", family: "lifecycle"),
        ])
    }

    @Test("forget publishes an exit with cause forget for exactly the segments the customer was in")
    func forgetPublishesTheExits() throws {
        var harness = try Self.harness()
        harness.order("c1", at: "2026-01-01T10:00:00Z", amount: 2500)
        harness.click("c1", at: "2026-01-01T11:00:00Z")
        harness.click("c2", at: "2026-01-01T12:00:00Z")
        let before = harness.drain()
        let statistics = harness.pipeline.engine.statistics
        let number = try #require(harness.pipeline.engine.store.index.lookup("c1"))

        let erased = harness.pipeline.engine.forget(customerID: "c1")
        #expect(erased)
        let seq = before.count + 1
        #expect(harness.drain().map { "\($0.topic) \($0.json)" } == [
            #"segment.buyer.exit {"seq":\#(seq),"type":"exit","segment":"buyer","customer_id":"c1","ts":"2026-01-01T12:00:00.000Z","cause":"forget","features":{"orders_total":1}}"#,
            #"segment.browser.exit {"seq":\#(seq + 1),"type":"exit","segment":"browser","customer_id":"c1","ts":"2026-01-01T12:00:00.000Z","cause":"forget","features":{"clicks_total":1}}"#,
            #"segment.first_timer.exit {"seq":\#(seq + 2),"type":"exit","segment":"first_timer","family":"lifecycle","previous":"first_timer","current":null,"customer_id":"c1","ts":"2026-01-01T12:00:00.000Z","cause":"forget","features":{"orders_total":1}}"#,
        ])
        let after = harness.pipeline.engine.statistics
        let segments = harness.pipeline.engine.segments.map(\.name)
        for (index, name) in segments.enumerated() {
            let left = ["buyer", "browser", "first_timer"].contains(name) ? 1 : 0
            #expect(after.exitedBySegment[index] == statistics.exitedBySegment[index] + left, "\(name)")
            #expect(after.membersBySegment[index] == statistics.membersBySegment[index] - left, "\(name)")
        }
        #expect(after.churnRiskAlerts == statistics.churnRiskAlerts)
        #expect(harness.pipeline.engine.store.isForgotten(number))
        #expect(harness.pipeline.engine.store.index.lookup("c1") == nil)
        #expect(harness.pipeline.engine.store.topCategories.top(number).isEmpty)
        #expect(harness.isMember("c2", "browser"), "other customers are untouched")
        let erasedAgain = harness.pipeline.engine.forget(customerID: "c1")
        #expect(!erasedAgain, "an erased id is unknown")

        // Nothing is left to fire: time passing publishes nothing about the customer.
        harness.advance(to: "2027-01-01T00:00:00Z")
        #expect(!harness.drain().contains { $0.customer != "c2" })
    }

    @Test("an unknown id returns false and changes nothing")
    func unknownIDChangesNothing() throws {
        var harness = try Self.harness()
        harness.order("c1", at: "2026-01-01T10:00:00Z")
        _ = harness.drain()
        let before = SnapshotTests.snapshot(harness.pipeline.engine)
        let erased = harness.pipeline.engine.forget(customerID: "nobody")
        #expect(!erased)
        #expect(harness.drain().isEmpty)
        #expect(SnapshotTests.snapshot(harness.pipeline.engine) == before)
    }

    @Test("a forgotten id that comes back is a new customer with nothing of the old one")
    func aReturningIDStartsFresh() throws {
        var harness = try Self.harness()
        harness.order("c1", at: "2026-01-01T10:00:00Z", amount: 20_000)
        harness.order("c1", at: "2026-01-01T11:00:00Z")
        let old = try #require(harness.pipeline.engine.store.index.lookup("c1"))
        let erased = harness.pipeline.engine.forget(customerID: "c1")
        #expect(erased)
        _ = harness.drain()

        harness.click("c1", at: "2026-01-05T10:00:00Z")
        let new = try #require(harness.pipeline.engine.store.index.lookup("c1"))
        #expect(new != old)
        #expect(harness.feature("orders_total", of: "c1") == 0)
        #expect(harness.feature("spend_total", of: "c1") == 0)
        #expect(harness.feature("tenure_days", of: "c1") == 0)
        #expect(harness.drain().map(\.topic) == ["segment.browser.enter"])
        #expect(harness.pipeline.engine.store.isForgotten(old))
        #expect(!harness.pipeline.engine.store.isForgotten(new))
    }

    @Test("a snapshot taken after forget holds no byte of the id, and restores it forgotten")
    func snapshotsKeepItForgotten() throws {
        var harness = try Self.harness()
        let id = "erase-me-7Q4ZK"
        harness.order(id, at: "2026-01-01T10:00:00Z")
        harness.click("c2", at: "2026-01-01T11:00:00Z")
        let number = try #require(harness.pipeline.engine.store.index.lookup(id))
        #expect(SnapshotTests.snapshot(harness.pipeline.engine).firstRange(of: Array(id.utf8)) != nil, "the id is stored before")
        let erased = harness.pipeline.engine.forget(customerID: id)
        #expect(erased)
        _ = harness.drain()

        let bytes = SnapshotTests.snapshot(harness.pipeline.engine)
        #expect(bytes.firstRange(of: Array(id.utf8)) == nil)
        #expect(bytes.firstRange(of: Array("7Q4ZK".utf8)) == nil)
        let restored = try SnapshotTests.restoredPipeline(bytes)
        #expect(restored.engine.store.isForgotten(number))
        #expect(restored.engine.store.index.lookup(id) == nil)
        #expect(SnapshotTests.snapshot(restored.engine) == bytes)

        // Both go on alike, the id coming back included.
        var twins = [harness, harness]
        twins[1].pipeline = restored
        var published: [[UInt8]] = [[], []]
        for twin in twins.indices {
            twins[twin].order(id, at: "2026-01-02T10:00:00Z")
            twins[twin].click("c2", at: "2026-01-02T11:00:00Z")
            twins[twin].advance(to: "2026-03-01T00:00:00Z")
            SnapshotTests.drain(&twins[twin].pipeline, into: &published[twin])
        }
        #expect(!published[0].isEmpty)
        #expect(published[0] == published[1])
        #expect(SnapshotTests.snapshot(twins[0].pipeline.engine) == SnapshotTests.snapshot(twins[1].pipeline.engine))
    }

    @Test("reloads, quintiles and churn refits pass over forgotten customers")
    func populationPassesSkipForgottenCustomers() throws {
        var harness = try ChurnEngineTests.harness(
            refit: 30 * ChurnEngineTests.day, segments: [("buyer", "orders_total >= 1"), ("champion", "r_score >= 4")])
        for customer in 0..<20 { harness.order("c\(customer)", at: "2026-01-01T10:00:00Z") }
        for customer in (0..<20).sorted(by: { $0 % 7 < $1 % 7 }) { harness.order("c\(customer)", at: "2026-01-0\(2 + customer % 7)T10:00:00Z") }
        harness.advance(to: "2026-01-10T00:00:00Z")
        let gone = try #require(harness.pipeline.engine.store.index.lookup("c3"))
        let erased = harness.pipeline.engine.forget(customerID: "c3")
        #expect(erased)
        let live = Set((0..<20).filter { $0 != 3 }.map { "c\($0)" })
        _ = harness.drain()

        // A rule the erased, empty profile would meet: a reload must not evaluate them.
        var segments = harness.pipeline.engine.configuration.segments
        segments.append(.init(name: "prospect", rule: "orders_total == 0"))
        try harness.pipeline.engine.reload(segments: segments)
        #expect(harness.drain().isEmpty)
        #expect(!harness.pipeline.engine.store.isMember(gone, segment: 2))
        #expect(harness.pipeline.engine.statistics.membersBySegment[0] == 19)
        #expect(harness.pipeline.engine.statistics.membersBySegment[2] == 0)

        harness.advance(to: "2026-01-11T00:00:00Z")
        #expect(harness.pipeline.engine.store.quintiles.buyers == 19)

        harness.order("c0", at: "2026-02-15T10:00:00Z")
        let taken = harness.pipeline.engine.takeChurnRefit()
        let refit = try #require(taken)
        #expect(refit.summaries.count == 19)
        harness.pipeline.engine.installChurnModel(try refit.run().model)
        let messages = harness.drain()
        #expect(messages.allSatisfy { live.contains($0.customer) })
        #expect(harness.pipeline.engine.store.isForgotten(gone))
        #expect(harness.pipeline.engine.store.liveCustomers.map { $0 } == (0..<20).filter { $0 != gone })
    }
}

@Suite("Erasure in the state structures")
struct StateErasureTests {
    /// Ids whose probes start at the given slots of a 16-slot table, one per entry: a cluster
    /// that wraps around the end of the table.
    static func colliding(homes: [Int]) -> [String] {
        var pool = (0..<10_000).map { "x\($0)" }
        return homes.map { home in
            let index = pool.firstIndex { id in
                var id = id
                return id.withUTF8 { Int(truncatingIfNeeded: CustomerIndex.hash(UnsafeRawBufferPointer($0))) & 15 } == home
            }!
            return pool.remove(at: index)
        }
    }

    static func intern(_ id: String, into index: inout CustomerIndex) -> Int32 {
        var id = id
        return id.withUTF8 { index.intern(UnsafeRawBufferPointer($0)) }
    }

    @Test("removing ids from colliding probe runs, in any order, leaves every other id findable")
    func collidingRemovals() {
        let ids = Self.colliding(homes: [15, 15, 14, 15, 0, 14, 0, 1])
        var random = SeededRandom(seed: 11)
        for _ in 0..<300 {
            var index = CustomerIndex(expectedCustomers: 4)
            for (number, id) in ids.enumerated() { #expect(Self.intern(id, into: &index) == Int32(number)) }
            var remaining = Set(ids.indices)
            for _ in 0..<Int(random.next() % UInt64(ids.count + 1)) {
                let victim = remaining.sorted()[Int(random.next() % UInt64(remaining.count))]
                index.remove(Int32(victim))
                remaining.remove(victim)
                for (number, id) in ids.enumerated() {
                    #expect(index.lookup(id) == (remaining.contains(number) ? Int32(number) : nil), "\(id) after removing \(victim)")
                }
            }
        }
    }

    @Test("removed ids are zeroed, skipped when the table grows, and get new numbers when interned again")
    func removalSurvivesGrowth() {
        var index = CustomerIndex(expectedCustomers: 4)
        for value in 0..<3_000 { _ = Self.intern("customer-\(value)", into: &index) }
        for value in stride(from: 0, to: 3_000, by: 3) { index.remove(Int32(value)) }
        #expect(index.id(3) == "\0\0\0\0\0\0\0\0\0\0")
        for value in 3_000..<20_000 { _ = Self.intern("customer-\(value)", into: &index) }
        for value in 0..<20_000 {
            let expected: Int32? = value < 3_000 && value % 3 == 0 ? nil : Int32(value)
            #expect(index.lookup("customer-\(value)") == expected)
        }
        #expect(Self.intern("customer-0", into: &index) == 20_000)
        #expect(index.isRemoved(0) && !index.isRemoved(20_000))
    }

    @Test("a released bucket list is empty and takes new buckets like a new customer's")
    func bucketRelease() {
        var lists = BucketLists(retention: 8)
        lists.addCustomer()
        lists.addCustomer()
        let click = DecodedEvent(kind: .click, timestamp: 0, eventID: .empty, customerID: .empty)
        for bucket: Int32 in 10..<13 { lists.record(click, customer: 0, bucket: bucket) }
        lists.release(0)
        #expect(lists.buckets(0).isEmpty)
        for bucket: Int32 in 20..<25 { lists.record(click, customer: 1, bucket: bucket) }
        lists.record(click, customer: 0, bucket: 30)
        #expect(lists.buckets(0).map(\.index) == [30])
        #expect(lists.buckets(1).map(\.index) == [20, 21, 22, 23, 24])
    }
}
