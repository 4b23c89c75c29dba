public import Prometheus
import Synchronization

/// A Prometheus counter that accepts either deltas or absolute totals.
///
/// The engine may keep its own running totals (plain `Int`s in the single-threaded loop) and
/// hand them over once per batch with ``setTotal(_:)``; or add what one batch did with
/// ``add(_:)``. Both keep the exported value consistent, so they can even be mixed. Each is a
/// couple of relaxed atomic operations.
public final class CounterHandle: Sendable {
    public let counter: Counter
    /// The value exported so far.
    private let exported = Atomic<Int64>(0)

    init(_ counter: Counter) { self.counter = counter }

    /// Adds `delta` (ignored unless positive).
    @inline(__always)
    public func add(_ delta: Int) {
        guard delta > 0 else { return }
        exported.wrappingAdd(Int64(delta), ordering: .relaxed)
        counter.increment(by: Int64(delta))
    }

    /// Raises the counter to `total`. A total at or below the exported value changes nothing:
    /// a Prometheus counter only resets with the process.
    @inline(__always)
    public func setTotal(_ total: Int) {
        let total = Int64(total)
        var current = exported.load(ordering: .relaxed)
        while total > current {
            let (exchanged, original) = exported.compareExchange(expected: current, desired: total, ordering: .relaxed)
            if exchanged {
                counter.increment(by: total - current)
                return
            }
            current = original
        }
    }

    /// The value exported so far.
    public var value: Int { Int(exported.load(ordering: .relaxed)) }
}

/// segd's metrics, registered on one ``PrometheusCollectorRegistry`` that ``AdminServer`` serves.
///
/// Updated by the ingest loop once per batch, not per event: keep the handles it returns
/// (``eventsReceived(topic:)`` …) in the loop's locals, then each batch costs a few atomic adds.
/// The labelled lookups take a lock and are meant for setup or for rare label values.
public final class SegdMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    // MARK: Names and help texts (one place, so the pytest suite and dashboards can rely on them)

    public enum Name {
        public static let eventsReceived = "segd_events_received_total"
        public static let eventsRejected = "segd_events_rejected_total"
        public static let alertsPublished = "segd_alerts_published_total"
        public static let processingSeconds = "segd_processing_seconds"
        public static let customers = "segd_customers"
        public static let segmentMembers = "segd_segment_members"
        public static let journalBytes = "segd_journal_bytes_total"
        public static let journalFsyncSeconds = "segd_journal_fsync_seconds"
        public static let snapshotAgeSeconds = "segd_snapshot_age_seconds"
        public static let snapshotDurationSeconds = "segd_snapshot_duration_seconds"
        public static let producerSequenceGaps = "segd_producer_sequence_gaps_total"
        public static let producerSequenceResets = "segd_producer_sequence_resets_total"
        public static let producersEvicted = "segd_producers_evicted_total"
        public static let dedupIDs = "segd_dedup_ids"
        public static let dedupForgottenEarly = "segd_dedup_forgotten_early_total"
        public static let outboundDropped = "segd_outbound_dropped_total"
        public static let reloads = "segd_reloads_total"
    }

    static let help: [String: String] = [
        Name.eventsReceived: "Events accepted (valid, on time, not duplicates), by topic.",
        Name.eventsRejected: "Events refused and published on deadletter, by reason.",
        Name.alertsPublished: "Messages published on the outbound socket, by topic family (segment_enter, segment_exit, churn_risk, churn_recovered, deadletter).",
        Name.processingSeconds: "Time the loop thread takes to journal and apply one ingest batch (validate, update aggregates, evaluate segments); decoding is done before, on the receiver thread.",
        Name.customers: "Customers currently held in memory.",
        Name.segmentMembers: "Customers currently in each segment.",
        Name.journalBytes: "Bytes appended to the event journal.",
        Name.journalFsyncSeconds: "Duration of each journal fsync.",
        Name.snapshotAgeSeconds: "Seconds since the last completed snapshot (since process start if none yet).",
        Name.snapshotDurationSeconds: "Duration of each snapshot, from start to directory fsync.",
        Name.producerSequenceGaps: "Messages missing from producers' sequence numbers (producer_seq jumped by k > 1: k - 1 lost before segd, e.g. at a PUB high-water mark).",
        Name.producerSequenceResets: "Stamped messages whose producer_seq was at or below the producer's previous one (producer restarted, or messages reordered); tracking goes on from the new number.",
        Name.producersEvicted: "Producers forgotten to keep at most \(ProducerSequences.defaultCapacity) tracked (the one not seen for longest, approximately); a forgotten producer's next message counts no gap.",
        Name.dedupIDs: "Event ids remembered to drop retries as duplicates ([engine] dedup_horizon, at most dedup_max_ids).",
        Name.dedupForgottenEarly: "Event ids forgotten before dedup_horizon ended, oldest first, to keep at most [engine] dedup_max_ids; a retry of one is accepted again. Counted since the state began.",
        Name.outboundDropped: "Outbound messages that found a subscriber's queue full (send_hwm) and were dropped for that subscriber, by topic family; counted once per overflow (a lower bound: see the README, \"Lost messages\").",
        Name.reloads: "Configuration reloads (SIGHUP), by result (ok, error).",
    ]

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        // The full name goes in metricName; an empty unitName is left out of the joined name.
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name]!)
    }

    /// 1 µs … 100 ms in 1-2.5-5 steps.
    public static let processingBuckets: [Duration] = [
        .microseconds(1), .nanoseconds(2_500), .microseconds(5), .microseconds(10), .microseconds(25),
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100),
    ]
    /// 50 µs … 1 s: an SSD fsync is ~0.1–2 ms, a busy disk tens of ms.
    public static let fsyncBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
    ]
    /// 10 ms … 60 s.
    public static let snapshotBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Label values of `segd_alerts_published_total` and `segd_outbound_dropped_total`.
    public enum TopicFamily: String, Sendable, CaseIterable {
        case segmentEnter = "segment_enter"
        case segmentExit = "segment_exit"
        case deadletter
        case churnRisk = "churn_risk"
        case churnRecovered = "churn_recovered"
        case other

        /// `segment.<name>.enter` → segmentEnter, `segment.<name>.exit` → segmentExit, `deadletter`, `churn.risk`, `churn.recovered`.
        public init(topic: some StringProtocol) {
            if topic == "deadletter" {
                self = .deadletter
            } else if topic == "churn.risk" {
                self = .churnRisk
            } else if topic == "churn.recovered" {
                self = .churnRecovered
            } else if topic.hasPrefix("segment.") && topic.hasSuffix(".enter") {
                self = .segmentEnter
            } else if topic.hasPrefix("segment.") && topic.hasSuffix(".exit") {
                self = .segmentExit
            } else {
                self = .other
            }
        }
    }

    // MARK: Unlabelled metrics

    public let processingSeconds: DurationHistogram
    public let customers: Gauge
    public let journalBytes: CounterHandle
    public let journalFsyncSeconds: DurationHistogram
    public let snapshotAgeSeconds: Gauge
    public let snapshotDurationSeconds: DurationHistogram
    public let producerSequenceGaps: CounterHandle
    public let producerSequenceResets: CounterHandle
    public let producersEvicted: CounterHandle
    public let dedupIDs: Gauge
    public let dedupForgottenEarly: CounterHandle

    private let started = MonotonicClock.microseconds()
    /// CLOCK_MONOTONIC µs of the last snapshot (0: none yet).
    private let lastSnapshot = Atomic<UInt64>(0)

    private struct Labelled: ~Copyable {
        var received: [String: CounterHandle] = [:]
        var rejected: [String: CounterHandle] = [:]
        /// Counters labelled `topic_family`, by metric name and family.
        var byFamily: [String: [TopicFamily: CounterHandle]] = [:]
        var reloads: [Bool: CounterHandle] = [:]
        var segments: [String: Gauge] = [:]
    }
    private let labelled = Mutex(Labelled())

    /// Registers every metric. Known label values are registered up front, so their series exist
    /// (at 0) from the first scrape.
    public init(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        topics: [String] = ["clicks", "orders", "reviews"],
        rejectReasons: [String] = []
    ) {
        self.registry = registry
        processingSeconds = registry.makeDurationHistogram(
            descriptor: Self.descriptor(Name.processingSeconds), buckets: Self.processingBuckets)
        customers = registry.makeGauge(descriptor: Self.descriptor(Name.customers))
        journalBytes = CounterHandle(registry.makeCounter(descriptor: Self.descriptor(Name.journalBytes)))
        journalFsyncSeconds = registry.makeDurationHistogram(
            descriptor: Self.descriptor(Name.journalFsyncSeconds), buckets: Self.fsyncBuckets)
        snapshotAgeSeconds = registry.makeGauge(descriptor: Self.descriptor(Name.snapshotAgeSeconds))
        snapshotDurationSeconds = registry.makeDurationHistogram(
            descriptor: Self.descriptor(Name.snapshotDurationSeconds), buckets: Self.snapshotBuckets)
        producerSequenceGaps = CounterHandle(
            registry.makeCounter(descriptor: Self.descriptor(Name.producerSequenceGaps)))
        producerSequenceResets = CounterHandle(
            registry.makeCounter(descriptor: Self.descriptor(Name.producerSequenceResets)))
        producersEvicted = CounterHandle(
            registry.makeCounter(descriptor: Self.descriptor(Name.producersEvicted)))
        dedupIDs = registry.makeGauge(descriptor: Self.descriptor(Name.dedupIDs))
        dedupForgottenEarly = CounterHandle(
            registry.makeCounter(descriptor: Self.descriptor(Name.dedupForgottenEarly)))

        for topic in topics { _ = eventsReceived(topic: topic) }
        for reason in rejectReasons { _ = eventsRejected(reason: reason) }
        for family in TopicFamily.allCases where family != .other {
            _ = alertsPublished(family)
            _ = outboundDropped(family)
        }
        _ = reloads(succeeded: true)
        _ = reloads(succeeded: false)
    }

    // MARK: Labelled handles (look up once, keep)

    public func eventsReceived(topic: String) -> CounterHandle {
        labelled.withLock { state in
            if let handle = state.received[topic] { return handle }
            let handle = CounterHandle(registry.makeCounter(
                descriptor: Self.descriptor(Name.eventsReceived), labels: [("topic", topic)]))
            state.received[topic] = handle
            return handle
        }
    }

    public func eventsRejected(reason: String) -> CounterHandle {
        labelled.withLock { state in
            if let handle = state.rejected[reason] { return handle }
            let handle = CounterHandle(registry.makeCounter(
                descriptor: Self.descriptor(Name.eventsRejected), labels: [("reason", reason)]))
            state.rejected[reason] = handle
            return handle
        }
    }

    public func alertsPublished(_ family: TopicFamily) -> CounterHandle {
        counter(Name.alertsPublished, family)
    }

    public func alertsPublished(topic: some StringProtocol) -> CounterHandle {
        alertsPublished(TopicFamily(topic: topic))
    }

    public func outboundDropped(_ family: TopicFamily) -> CounterHandle {
        counter(Name.outboundDropped, family)
    }

    private func counter(_ name: String, _ family: TopicFamily) -> CounterHandle {
        labelled.withLock { state in
            if let handle = state.byFamily[name]?[family] { return handle }
            let handle = CounterHandle(registry.makeCounter(
                descriptor: Self.descriptor(name), labels: [("topic_family", family.rawValue)]))
            state.byFamily[name, default: [:]][family] = handle
            return handle
        }
    }

    public func reloads(succeeded: Bool) -> CounterHandle {
        labelled.withLock { state in
            if let handle = state.reloads[succeeded] { return handle }
            let handle = CounterHandle(registry.makeCounter(
                descriptor: Self.descriptor(Name.reloads), labels: [("result", succeeded ? "ok" : "error")]))
            state.reloads[succeeded] = handle
            return handle
        }
    }

    // MARK: Gauges and events

    /// Sets `segd_segment_members` for every segment in `counts`, and removes the series of
    /// segments no longer present (after a reload dropped them). Call once per batch, or only
    /// when membership changed.
    public func setSegmentMembers(_ counts: some Sequence<(segment: String, members: Int)>) {
        labelled.withLock { state in
            var seen = Set<String>()
            for (segment, members) in counts {
                seen.insert(segment)
                let gauge: Gauge
                if let existing = state.segments[segment] {
                    gauge = existing
                } else {
                    gauge = registry.makeGauge(
                        descriptor: Self.descriptor(Name.segmentMembers), labels: [("segment", segment)])
                    state.segments[segment] = gauge
                }
                gauge.set(Double(members))
            }
            for (segment, gauge) in state.segments where !seen.contains(segment) {
                registry.unregisterGauge(gauge)
                state.segments[segment] = nil
            }
        }
    }

    /// A snapshot finished: records its duration and restarts `segd_snapshot_age_seconds`.
    public func snapshotCompleted(duration: Duration, now: UInt64 = MonotonicClock.microseconds()) {
        snapshotDurationSeconds.record(duration)
        lastSnapshot.store(now, ordering: .relaxed)
        snapshotAgeSeconds.set(Double(0))
    }

    /// Recomputes the values that depend on the time of the scrape (`segd_snapshot_age_seconds`).
    /// Pass it to ``AdminServer``'s `beforeScrape`.
    public func refreshBeforeScrape(now: UInt64 = MonotonicClock.microseconds()) {
        let last = lastSnapshot.load(ordering: .relaxed)
        let since = last == 0 ? started : last
        snapshotAgeSeconds.set(Double(now > since ? now - since : 0) / 1_000_000)
    }
}
