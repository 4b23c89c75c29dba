import Foundation
import SegdCore

/// What the ingest loop tells operators: readiness, stopping and watchdog pings to systemd,
/// heartbeats and readiness for `/healthz` and `/readyz`, and the engine's counters as
/// Prometheus metrics. The loop calls ``beat(now:)`` every turn and ``publish(_:)`` a few times a
/// second; both are cheap, and nothing here runs per event.
public final class DaemonOps: Sendable {
    public let notifier: SystemdNotifier
    public let health: AdminHealth
    public let metrics: SegdMetrics
    private let pinger: WatchdogPinger
    private let received: [CounterHandle]
    private let rejected: [RejectReason: CounterHandle]
    private let entered: CounterHandle
    private let exited: CounterHandle
    private let deadLetters: CounterHandle
    private let churnRisk: CounterHandle
    private let churnRecovered: CounterHandle

    /// The most the loop may wait in poll: the watchdog must be pinged every half of its timeout
    /// and `/healthz` sees a stall after ``stallLimit``.
    public static let maximumPollWait: Int64 = 500
    static let stallLimit: Duration = .seconds(10)

    /// `environment` holds NOTIFY_SOCKET and WATCHDOG_USEC; nil reads the process's own.
    public init(environment: [String: String]? = nil) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        notifier = SystemdNotifier(environment: environment)
        pinger = WatchdogPinger(notifier: notifier, settings: .from(environment: environment, pid: getpid()))
        health = AdminHealth(stallLimit: Self.stallLimit)
        let metrics = SegdMetrics(rejectReasons: RejectReason.allCases.map(\.rawValue))
        self.metrics = metrics
        received = EventKind.allCases.map { metrics.eventsReceived(topic: $0.topic) }
        rejected = Dictionary(uniqueKeysWithValues: RejectReason.allCases.map { ($0, metrics.eventsRejected(reason: $0.rawValue)) })
        entered = metrics.alertsPublished(.segmentEnter)
        exited = metrics.alertsPublished(.segmentExit)
        deadLetters = metrics.alertsPublished(.deadletter)
        churnRisk = metrics.alertsPublished(.churnRisk)
        churnRecovered = metrics.alertsPublished(.churnRecovered)
    }

    /// The loop is alive: a heartbeat for `/healthz`, and a watchdog ping when one is due.
    func beat(now: UInt64 = MonotonicClock.microseconds()) {
        health.heartbeat(now: now)
        _ = try? pinger.tick(nowMicroseconds: now)
    }

    /// Copies the producer sequence counters into the metrics.
    func publish(_ producers: ProducerSequences) {
        metrics.producerSequenceGaps.setTotal(producers.gaps)
        metrics.producerSequenceResets.setTotal(producers.resets)
        metrics.producersEvicted.setTotal(producers.evictions)
    }

    /// Copies the engine's counters and gauges into the metrics.
    func publish(_ engine: SegmentEngine) {
        let statistics = engine.statistics
        for (kind, handle) in zip(EventKind.allCases, received) { handle.setTotal(statistics.acceptedByKind[Int(kind.rawValue)]) }
        for (reason, count) in statistics.rejectedByReason { rejected[reason]?.setTotal(count) }
        entered.setTotal(statistics.enteredBySegment.reduce(0, +))
        exited.setTotal(statistics.exitedBySegment.reduce(0, +))
        deadLetters.setTotal(statistics.rejected)
        churnRisk.setTotal(statistics.churnRiskAlerts)
        churnRecovered.setTotal(statistics.churnRecoveredAlerts)
        metrics.customers.set(Double(engine.store.count))
        metrics.dedupIDs.set(Double(engine.dedupRemembered))
        metrics.dedupForgottenEarly.setTotal(engine.dedupForgottenEarly)
        metrics.setSegmentMembers(zip(engine.segments, statistics.membersBySegment).map { (segment: $0.name, members: $1) })
    }
}
