import Logging
import ServiceLifecycle
import Testing
@testable import Segd

/// How the daemon wires SegdOps together, as a running example: a stand-in ingest service with
/// the real notifier, pinger, health and metrics, beside the admin server in one ServiceGroup.
struct FakeIngestService: Service {
    let notifier: SystemdNotifier
    let pinger: WatchdogPinger
    let health: AdminHealth
    let metrics: SegdMetrics

    func run() async throws {
        // Startup: restore state (extend the start timeout while a long replay runs).
        try? notifier.extendTimeout(microseconds: 30_000_000)
        let received = metrics.eventsReceived(topic: "orders")  // handles looked up once
        let enter = metrics.alertsPublished(.segmentEnter)
        health.markReady()
        try? notifier.ready(status: "ingesting")

        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully {
                // One batch: poll (timeout < ping interval), process, publish...
                let started = MonotonicClock.microseconds()
                received.add(10)
                enter.add(1)
                metrics.customers.set(Double(100))
                let now = MonotonicClock.microseconds()
                metrics.processingSeconds.record(.microseconds(Int64(now - started)))
                health.heartbeat(now: now)
                _ = try? pinger.tick(nowMicroseconds: now)
                try? await Task.sleep(for: .milliseconds(5))
            }
        } onGracefulShutdown: {
            health.markStopping()
            try? notifier.stopping(status: "draining")
        }
        // Drain, final snapshot, then return.
    }
}

@Suite struct WiringTests {
    @Test func daemonLifecycle() async throws {
        let listener = try NotifyListener(abstract: false)
        let environment = ["NOTIFY_SOCKET": listener.notifySocket, "WATCHDOG_USEC": "30000000"]
        let notifier = SystemdNotifier(environment: environment)
        let pinger = WatchdogPinger(notifier: notifier, settings: .from(environment: environment, pid: 1))
        let health = AdminHealth(stallLimit: .seconds(10))
        let metrics = SegdMetrics()
        var logger = Logger(label: "segd.test")
        logger.logLevel = .warning
        let admin = AdminServer(
            configuration: .init(port: 0), registry: metrics.registry, health: health,
            queries: FakeQueries(), beforeScrape: { metrics.refreshBeforeScrape() }, logger: logger)
        let ingest = FakeIngestService(notifier: notifier, pinger: pinger, health: health, metrics: metrics)
        // Admin first: ServiceGroup stops services in reverse order, so it outlives the drain.
        let group = ServiceGroup(configuration: .init(services: [admin, ingest], logger: logger))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await admin.listeningPort()
            #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=30000000")
            #expect(listener.receive() == "READY=1\nSTATUS=ingesting")
            #expect(listener.receive() == "WATCHDOG=1")
            #expect(try await httpRequest(port: port, path: "/readyz").status == 200)
            #expect(try await httpRequest(port: port, path: "/healthz").status == 200)
            let scrape = try Exposition(try await httpRequest(port: port, path: "/metrics").body)
            #expect(try #require(scrape.value(#"segd_events_received_total{topic="orders"}"#)) >= 10)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(listener.receive() == "STOPPING=1\nSTATUS=draining")
        #expect(health.readiness == .stopping)
        #expect(listener.receive(wait: false) == nil)  // one watchdog ping per 15 s, no more
    }
}
