import Prometheus
import Testing
@testable import Segd

@Suite struct SegdMetricsTests {
    @Test func counterHandleTakesDeltasOrTotals() {
        let metrics = SegdMetrics()
        let clicks = metrics.eventsReceived(topic: "clicks")
        #expect(metrics.eventsReceived(topic: "clicks") === clicks)  // cached handle
        clicks.add(5)
        clicks.setTotal(12)
        clicks.setTotal(10)  // never backwards
        clicks.add(-3)       // ignored
        clicks.add(1)
        #expect(clicks.value == 13)
        #expect(metrics.registry.emitToString().contains("segd_events_received_total{topic=\"clicks\"} 13\n"))
    }

    @Test func rejectedFamilyAppearsWithFirstReason() {
        let metrics = SegdMetrics()
        #expect(!metrics.registry.emitToString().contains("segd_events_rejected_total"))
        metrics.eventsRejected(reason: "too_old").add(2)
        #expect(metrics.registry.emitToString().contains("segd_events_rejected_total{reason=\"too_old\"} 2\n"))
    }

    @Test func topicFamilies() {
        #expect(SegdMetrics.TopicFamily(topic: "segment.vip.enter") == .segmentEnter)
        #expect(SegdMetrics.TopicFamily(topic: "segment.high.value.exit") == .segmentExit)
        #expect(SegdMetrics.TopicFamily(topic: "deadletter") == .deadletter)
        #expect(SegdMetrics.TopicFamily(topic: "orders") == .other)
    }

    @Test func everyFamilyHasHelpAndType() throws {
        // A labelled family shows only once it has a series: the daemon passes its reject reasons.
        let metrics = SegdMetrics(rejectReasons: ["bad_json"])
        metrics.setSegmentMembers([(segment: "vip", members: 1)])
        metrics.refreshBeforeScrape()
        let exposition = try Exposition(metrics.registry.emitToString())
        #expect(Set(exposition.types.keys) == Set(SegdMetrics.help.keys))
        #expect(Set(exposition.help.keys) == Set(SegdMetrics.help.keys))
    }

    @Test func snapshotAgeCountsFromStartThenFromSnapshot() {
        let metrics = SegdMetrics()
        let now = MonotonicClock.microseconds()
        metrics.refreshBeforeScrape(now: now + 3_000_000)
        let text = metrics.registry.emitToString()
        let line = text.split(separator: "\n").first { $0.hasPrefix("segd_snapshot_age_seconds ") }
        let age = line.flatMap { Double($0.split(separator: " ")[1]) } ?? -1
        #expect(age >= 3 && age < 4)
        metrics.snapshotCompleted(duration: .seconds(1), now: now)
        metrics.refreshBeforeScrape(now: now + 500_000)
        #expect(metrics.registry.emitToString().contains("segd_snapshot_age_seconds 0.5\n"))
    }

    @Test func bucketsAreIncreasing() {
        for buckets in [SegdMetrics.processingBuckets, SegdMetrics.fsyncBuckets, SegdMetrics.snapshotBuckets] {
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 })
        }
        #expect(SegdMetrics.processingBuckets.first == .microseconds(1))
        #expect(SegdMetrics.processingBuckets.last == .milliseconds(100))
    }
}
