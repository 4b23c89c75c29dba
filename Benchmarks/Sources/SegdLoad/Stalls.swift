import Foundation
import Segd
import SegdCore

/// Growth stalls (benchmark 8): the engine `segd run` uses, from the daemon's config, applies one
/// order from each of N new customers in this process, timing every event alone. The slowest are
/// the growths of per-customer structures, where latency runs (benchmark 5) show them only through
/// the noise of sockets and scheduling. One event every 10 ms of event time, so no timer fires.
///
/// Allocations of 1 MiB and more get their own mappings here, as in the daemon (`MallocTuning`),
/// so that growing columns move pages instead of copying them.
func runStalls(_ options: Options) throws {
    let customers = try options.ints("customers", default: [600_000])[0]
    let reported = try options.ints("slowest", default: [10])[0]
    MallocTuning.apply()
    let configuration = try SegdConfiguration.load(path: try options.string("config", default: Paths.defaultConfig))
    var pipeline = try Pipeline(configuration: configuration.engine, maxPayloadBytes: configuration.ingest.maxMessageBytes)
    let firstTime: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    var durations = [UInt64](repeating: 0, count: customers)
    for customer in 0..<customers {
        let started = monotonicNanoseconds()
        applyFreshOrder(customer, at: firstTime + Int64(customer) * 10, to: &pipeline)
        durations[customer] = monotonicNanoseconds() - started
    }
    let slowest = durations.indices.sorted { durations[$0] > durations[$1] }.prefix(reported).sorted()
    let mean = Double(durations.reduce(0, +)) / Double(max(customers, 1))
    let overHalfMillisecond = durations.filter { $0 > 500_000 }.count
    print(String(format: "stalls: %d new customers, one order each: mean %.0f ns an event; %d events over 0.5 ms", customers, mean, overHalfMillisecond))
    print("stalls: the \(slowest.count) slowest (customer number: ms): "
        + slowest.map { String(format: "%d: %.2f", $0, Double(durations[$0]) / 1e6) }.joined(separator: ", "))
    let worst = durations.max() ?? 0
    recordResult("{\"benchmark\":\"stalls\",\"customers\":\(customers),\"mean_ns\":\(mean),\"over_half_ms\":\(overHalfMillisecond),\"max_ns\":\(worst)}")
}
