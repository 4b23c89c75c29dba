import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Testing
@testable import Segd

struct FakeQueries: AdminQueries {
    func customer(id: String) async -> [UInt8]? {
        guard id == "c-1" || id == "c 2" else { return nil }
        return Array(#"{"customer_id":"\#(id)","segments":["vip"]}"#.utf8)
    }
    func segments() async -> [UInt8] {
        Array(#"{"segments":[{"name":"vip","members":1}]}"#.utf8)
    }
    func forget(id: String) async -> [UInt8]? {
        guard id == "c-1" else { return nil }
        return Array(#"{"customer_id":"c-1","forgotten":true,"segment_exits":1}"#.utf8)
    }
}

/// Runs an AdminServer on 127.0.0.1 port 0 in a ServiceGroup for the duration of `body`.
func withAdminServer(
    health: AdminHealth = AdminHealth(stallLimit: .seconds(30)),
    metrics: SegdMetrics = SegdMetrics(),
    _ body: (_ port: Int, _ health: AdminHealth, _ metrics: SegdMetrics) async throws -> Void
) async throws {
    var logger = Logger(label: "segd.admin.test")
    logger.logLevel = .warning
    let server = AdminServer(
        configuration: .init(host: "127.0.0.1", port: 0),
        registry: metrics.registry,
        health: health,
        queries: FakeQueries(),
        beforeScrape: { metrics.refreshBeforeScrape() },
        logger: logger
    )
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let port = try await server.listeningPort()
        #expect(port > 0)
        #expect(server.boundPort == port)
        do {
            try await body(port, health, metrics)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

@Suite struct AdminServerTests {
    @Test func readinessFollowsHealth() async throws {
        try await withAdminServer { port, health, _ in
            var reply = try await httpRequest(port: port, path: "/readyz")
            #expect(reply.status == 503)
            #expect(reply.body == "starting\n")
            health.markReady()
            reply = try await httpRequest(port: port, path: "/readyz")
            #expect(reply.status == 200)
            #expect(reply.body == "ready\n")
            health.markStopping()
            reply = try await httpRequest(port: port, path: "/readyz")
            #expect(reply.status == 503)
            #expect(reply.body == "stopping\n")
        }
    }

    @Test func healthzReportsHeartbeatAge() async throws {
        // Created 10 s "ago" with a 5 s stall limit: stalled until the loop beats.
        let health = AdminHealth(stallLimit: .seconds(5), now: MonotonicClock.microseconds() - 10_000_000)
        try await withAdminServer(health: health) { port, health, _ in
            var reply = try await httpRequest(port: port, path: "/healthz")
            #expect(reply.status == 503)
            let lines = reply.body.split(separator: "\n")
            #expect(lines.first == "stalled")
            let age = try #require(lines.dropFirst().first.flatMap { Double($0.split(separator: " ")[1]) })
            #expect(age >= 10 && age < 60)
            #expect(reply.body.hasSuffix("\nstall_limit_seconds 5.000\n"))
            let beforeBeat = MonotonicClock.microseconds()
            health.heartbeat()
            reply = try await httpRequest(port: port, path: "/healthz")
            let sinceBeat = Double(MonotonicClock.microseconds() - beforeBeat) / 1_000_000
            #expect(reply.status == 200)
            let okLines = reply.body.split(separator: "\n")
            #expect(okLines.first == "ok")
            // The age is of the beat just made: no more than the time the request took (the
            // reply rounds to milliseconds, hence the allowance).
            let beatAge = try #require(okLines.dropFirst().first.flatMap { Double($0.split(separator: " ")[1]) })
            #expect(okLines.dropFirst().first?.hasPrefix("heartbeat_age_seconds ") == true)
            #expect(beatAge >= 0 && beatAge <= sinceBeat + 0.0005)
            #expect(reply.headers["content-type"] == "text/plain; charset=utf-8")
        }
    }

    @Test func queriesPassThroughAsJSON() async throws {
        try await withAdminServer { port, _, _ in
            var reply = try await httpRequest(port: port, path: "/v1/customers/c-1")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.body == #"{"customer_id":"c-1","segments":["vip"]}"#)

            reply = try await httpRequest(port: port, path: "/v1/customers/c%202?x=1")
            #expect(reply.status == 200)
            #expect(reply.body == #"{"customer_id":"c 2","segments":["vip"]}"#)

            reply = try await httpRequest(port: port, path: "/v1/customers/nobody")
            #expect(reply.status == 404)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.body == #"{"error":"customer not found","id":"nobody"}"#)

            reply = try await httpRequest(port: port, path: "/v1/customers/%zz")
            #expect(reply.status == 400)

            reply = try await httpRequest(port: port, path: "/v1/segments")
            #expect(reply.status == 200)
            #expect(reply.body == #"{"segments":[{"name":"vip","members":1}]}"#)
        }
    }

    @Test func unknownPathAndWrongMethod() async throws {
        try await withAdminServer { port, _, _ in
            var reply = try await httpRequest(port: port, path: "/nope")
            #expect(reply.status == 404)
            #expect(reply.headers["content-type"] == "application/json")
            #expect(reply.body == #"{"error":"not found","path":"/nope"}"#)

            reply = try await httpRequest(port: port, path: "/v1/customers/")
            #expect(reply.status == 404)

            reply = try await httpRequest(port: port, method: "POST", path: "/metrics")
            #expect(reply.status == 405)
            #expect(reply.headers["allow"] == "GET")
            #expect(reply.body == #"{"error":"method not allowed","method":"POST"}"#)

            reply = try await httpRequest(port: port, method: "DELETE", path: "/v1/segments")
            #expect(reply.status == 405)

            reply = try await httpRequest(port: port, method: "PUT", path: "/v1/customers/c-1")
            #expect(reply.status == 405)
            #expect(reply.headers["allow"] == "GET, DELETE")

            reply = try await httpRequest(port: port, method: "DELETE", path: "/v1/customers/c-1")
            #expect(reply.status == 200)
            #expect(reply.body == #"{"customer_id":"c-1","forgotten":true,"segment_exits":1}"#)
            reply = try await httpRequest(port: port, method: "DELETE", path: "/v1/customers/c-9")
            #expect(reply.status == 404)
        }
    }

    @Test func metricsScrapeOverHTTP() async throws {
        let metrics = SegdMetrics(rejectReasons: ["bad_json", "duplicate"])
        try await withAdminServer(metrics: metrics) { port, _, metrics in
            // One batch's worth of updates, as the ingest loop would make them.
            metrics.eventsReceived(topic: "clicks").add(7)
            metrics.eventsReceived(topic: "orders").setTotal(3)
            metrics.eventsRejected(reason: "bad_json").add(1)
            metrics.alertsPublished(topic: "segment.vip.enter").add(2)
            metrics.alertsPublished(topic: "deadletter").add(1)
            metrics.processingSeconds.record(.microseconds(40))
            metrics.customers.set(Double(1234))
            metrics.setSegmentMembers([(segment: "vip", members: 12), (segment: "churn_risk", members: 3)])
            metrics.journalBytes.add(4096)
            metrics.journalFsyncSeconds.record(.microseconds(800))
            metrics.snapshotCompleted(duration: .milliseconds(120))
            metrics.producerSequenceGaps.add(1)
            metrics.outboundDropped(.churnRisk).add(2)
            metrics.reloads(succeeded: true).add(1)

            let reply = try await httpRequest(port: port, path: "/metrics")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let exposition = try Exposition(reply.body)
            // For checking the same text with Python's prometheus_client parser by hand.
            if let dump = ProcessInfo.processInfo.environment["SEGD_METRICS_DUMP"] {
                try reply.body.write(toFile: dump, atomically: true, encoding: .utf8)
            }

            for (name, type) in [
                ("segd_events_received_total", "counter"), ("segd_events_rejected_total", "counter"),
                ("segd_alerts_published_total", "counter"), ("segd_processing_seconds", "histogram"),
                ("segd_customers", "gauge"), ("segd_segment_members", "gauge"),
                ("segd_journal_bytes_total", "counter"), ("segd_journal_fsync_seconds", "histogram"),
                ("segd_snapshot_age_seconds", "gauge"), ("segd_snapshot_duration_seconds", "histogram"),
                ("segd_producer_sequence_gaps_total", "counter"), ("segd_producer_sequence_resets_total", "counter"),
                ("segd_producers_evicted_total", "counter"), ("segd_outbound_dropped_total", "counter"),
                ("segd_reloads_total", "counter"),
            ] {
                #expect(exposition.types[name] == type, "TYPE of \(name)")
                #expect(exposition.help[name]?.isEmpty == false, "HELP of \(name)")
            }
            #expect(exposition.value(#"segd_events_received_total{topic="clicks"}"#) == 7)
            #expect(exposition.value(#"segd_events_received_total{topic="orders"}"#) == 3)
            #expect(exposition.value(#"segd_events_received_total{topic="reviews"}"#) == 0)
            #expect(exposition.value(#"segd_events_rejected_total{reason="bad_json"}"#) == 1)
            #expect(exposition.value(#"segd_events_rejected_total{reason="duplicate"}"#) == 0)
            #expect(exposition.value(#"segd_alerts_published_total{topic_family="segment_enter"}"#) == 2)
            #expect(exposition.value(#"segd_alerts_published_total{topic_family="segment_exit"}"#) == 0)
            #expect(exposition.value(#"segd_alerts_published_total{topic_family="deadletter"}"#) == 1)
            #expect(exposition.value(#"segd_processing_seconds_bucket{le="0.000025"}"#) == 0)
            #expect(exposition.value(#"segd_processing_seconds_bucket{le="0.00005"}"#) == 1)
            #expect(exposition.value(#"segd_processing_seconds_bucket{le="+Inf"}"#) == 1)
            #expect(exposition.value("segd_processing_seconds_count") == 1)
            #expect(exposition.value("segd_processing_seconds_sum") == 0.00004)
            #expect(exposition.value("segd_customers") == 1234)
            #expect(exposition.value(#"segd_segment_members{segment="vip"}"#) == 12)
            #expect(exposition.value(#"segd_segment_members{segment="churn_risk"}"#) == 3)
            #expect(exposition.value("segd_journal_bytes_total") == 4096)
            #expect(exposition.value("segd_journal_fsync_seconds_count") == 1)
            #expect(exposition.value("segd_snapshot_duration_seconds_sum") == 0.12)
            #expect(try #require(exposition.value("segd_snapshot_age_seconds")) < 5)
            #expect(exposition.value("segd_producer_sequence_gaps_total") == 1)
            #expect(exposition.value("segd_producer_sequence_resets_total") == 0)
            #expect(exposition.value("segd_producers_evicted_total") == 0)
            #expect(exposition.value(#"segd_outbound_dropped_total{topic_family="churn_risk"}"#) == 2)
            #expect(exposition.value(#"segd_outbound_dropped_total{topic_family="deadletter"}"#) == 0)
            #expect(exposition.value(#"segd_reloads_total{result="ok"}"#) == 1)
            #expect(exposition.value(#"segd_reloads_total{result="error"}"#) == 0)

            // A reload dropped a segment: its series goes away.
            metrics.setSegmentMembers([(segment: "vip", members: 11)])
            let after = try Exposition(try await httpRequest(port: port, path: "/metrics").body)
            #expect(after.value(#"segd_segment_members{segment="vip"}"#) == 11)
            #expect(after.value(#"segd_segment_members{segment="churn_risk"}"#) == nil)
        }
    }

    @Test func bindFailureEndsRunAndWaiters() async throws {
        try await withAdminServer { port, health, metrics in
            var logger = Logger(label: "segd.admin.test")
            logger.logLevel = .critical
            let clash = AdminServer(
                configuration: .init(host: "127.0.0.1", port: port),
                registry: metrics.registry, health: health, queries: FakeQueries(), logger: logger)
            await #expect(throws: (any Error).self) { try await clash.run() }
            await #expect(throws: AdminServer.ServerError.self) { _ = try await clash.listeningPort() }
            #expect(clash.boundPort == nil)
        }
    }
}

/// The Prometheus text format 0.0.4, parsed strictly enough to catch malformed output: every
/// line is `# HELP name text`, `# TYPE name type`, or `name[{labels}] value`; each family's
/// TYPE precedes its samples and appears once.
struct Exposition {
    var help: [String: String] = [:]
    var types: [String: String] = [:]
    var samples: [String: Double] = [:]

    init(_ text: String) throws {
        #expect(text.hasSuffix("\n"))
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                guard help[name] == nil else { throw TestError("duplicate HELP \(name)") }
                help[name] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1]) else {
                    throw TestError("bad TYPE line: \(line)")
                }
                guard types[String(parts[0])] == nil else { throw TestError("duplicate TYPE \(line)") }
                types[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("#") {
                continue
            } else {
                guard let space = line.lastIndex(of: " ") else { throw TestError("bad sample line: \(line)") }
                let series = String(line[..<space])
                let valueText = line[line.index(after: space)...]
                guard let value = Double(valueText) ?? (valueText == "+Inf" ? .infinity : nil) else {
                    throw TestError("bad value in: \(line)")
                }
                let name = String(series.prefix { $0 != "{" })
                guard name.first.map({ $0.isLetter || $0 == "_" || $0 == ":" }) == true,
                      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") })
                else { throw TestError("bad metric name in: \(line)") }
                if series.count > name.count {
                    guard series.last == "}", Self.validLabels(series.dropFirst(name.count + 1).dropLast()) else {
                        throw TestError("bad labels in: \(line)")
                    }
                }
                let family = Self.family(of: name, in: types)
                guard let family, types[family] != nil else { throw TestError("sample before its TYPE: \(line)") }
                guard samples[series] == nil else { throw TestError("duplicate series: \(line)") }
                samples[series] = value
            }
        }
    }

    static func family(of name: String, in types: [String: String]) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return nil
    }

    /// `name="value",name="value"` with \\, \" and \n escapes.
    static func validLabels(_ text: Substring) -> Bool {
        var rest = text[...]
        while !rest.isEmpty {
            let name = rest.prefix { $0 != "=" }
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return false }
            rest = rest.dropFirst(name.count)
            guard rest.hasPrefix("=\"") else { return false }
            rest = rest.dropFirst(2)
            var closed = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if c == "\\" {
                    guard let e = rest.first, "\\\"n".contains(e) else { return false }
                    rest = rest.dropFirst()
                } else if c == "\"" {
                    closed = true
                    break
                }
            }
            guard closed else { return false }
            if rest.hasPrefix(",") { rest = rest.dropFirst() } else if !rest.isEmpty { return false }
        }
        return true
    }

    func value(_ series: String) -> Double? { samples[series] }
}
