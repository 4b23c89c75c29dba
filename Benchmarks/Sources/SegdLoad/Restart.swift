import Foundation
import Glibc
import Segd
import SegdCore
import SegdDurability

/// Restart time (benchmark 7): a state directory holding a snapshot of N customers, then
/// `segd run` (the release binary, default config) on it, timed from spawn to its start-up banner,
/// which it prints once the snapshot is loaded, the journal replayed and the sockets bound — when
/// it would send READY=1. Then SIGTERM, timed to exit: the stop writes a snapshot of everyone.
///
/// The snapshot is built in this process by the engine `segd run` uses, from the daemon's own
/// config file, with one order per customer spread over 90 days (as the memory benchmark feeds).
func runRestart(_ options: Options) throws {
    let sizes = try options.ints("customers", default: [1_000_000])
    let segd = try options.string("segd", default: Paths.segdBinary)
    let config = try options.string("config", default: Paths.defaultConfig)
    let work = try Paths.workDirectory()
    for customers in sizes {
        var snapshotBytes = 0
        var buildSeconds = 0.0
        let daemon = try DaemonProcess(
            segd: segd, baseConfig: config, subBind: "tcp://127.0.0.1:*", publishBind: "tcp://127.0.0.1:*", workDirectory: work
        ) { configPath, stateDirectory in
            let started = monotonicNanoseconds()
            let engine = try buildEngine(configPath: configPath, customers: customers)
            var writer = BinaryWriter()
            engine.encodeSnapshot(into: &writer)
            snapshotBytes = writer.count
            try SnapshotFile.write(writer.bytes, journalSequence: 0, in: stateDirectory)
            buildSeconds = Double(monotonicNanoseconds() - started) / 1e9
        }
        let startSeconds = Double(daemon.startNanoseconds) / 1e9
        let rss = procStatusKilobytes(daemon.pid)["VmRSS"] ?? 0
        let stopStarted = monotonicNanoseconds()
        _ = daemon.stop()
        let stopSeconds = Double(monotonicNanoseconds() - stopStarted) / 1e9
        guard let recovered = daemon.log.split(separator: "\n").first(where: { $0.contains("state recovered") }),
              recovered.contains("customers=\(customers)") else {
            throw UsageError(description: "segd did not recover \(customers) customers; its log:\n\(daemon.log)")
        }
        print(String(format: "restart: %d customers: snapshot %d MiB; spawn to ready %.2f s (VmRSS then %d MiB); SIGTERM to exit with the final snapshot %.2f s; building the state in process took %.1f s",
                     customers, snapshotBytes >> 20, startSeconds, rss >> 10, stopSeconds, buildSeconds))
        print("restart: \(recovered)")
        recordResult("{\"benchmark\":\"restart\",\"customers\":\(customers),\"snapshot_bytes\":\(snapshotBytes),"
            + "\"start_seconds\":\(startSeconds),\"stop_seconds\":\(stopSeconds)}")
    }
}

/// The daemon's engine after one order from each of `customers` customers, 90 days of event time.
private func buildEngine(configPath: String, customers: Int) throws -> SegmentEngine {
    let configuration = try SegdConfiguration.load(path: configPath)
    var pipeline = try Pipeline(configuration: configuration.engine, maxPayloadBytes: configuration.ingest.maxMessageBytes)
    let firstTime: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    let gap = 90 * 86_400_000 / Int64(max(customers, 1))
    for customer in 0..<customers {
        applyFreshOrder(customer, at: firstTime + Int64(customer) * gap, to: &pipeline)
    }
    return pipeline.engine
}

/// Applies customer `customer`'s first order, at event time `time`, and drops its alerts.
func applyFreshOrder(_ customer: Int, at time: Int64, to pipeline: inout Pipeline) {
    let json = Array(#"{"event_id":"r-\#(customer)","customer_id":"r-\#(customer)","ts":\#(time),"amount":2500,"currency":"USD"}"#.utf8)
    "orders".utf8.withContiguousStorageIfAvailable { topic in
        json.withUnsafeBytes { payload in pipeline.ingest(topic: UnsafeRawBufferPointer(topic), payload: payload, receivedAt: time) }
    }
    pipeline.engine.outbound.removeAll()
}
