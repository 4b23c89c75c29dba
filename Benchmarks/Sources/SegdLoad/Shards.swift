import BenchSupport
import Dispatch
import Foundation
import Segd
import SegdCore

/// Shards (benchmark 9): decode + engine as DESIGN's one writer per shard would run it, measured
/// here beside one shard in the same run. The generated stream is split by customer
/// (`CustomerShard`: `hash(customer_id) mod N`), and each shard's thread runs its own `Pipeline`
/// (the daemon's config) over its customers' events, in stream order, as benchmark 3 runs one.
///
/// What it measures is how far the per-event work spreads over cores. The stream is split ahead
/// of time (a daemon's receiver would route each message by its customer id), and each shard's
/// state is its own, including what one engine keeps over all customers (the RFM quintiles, the
/// churn model, the dedup set, the alerts' sequence numbers), which a sharded daemon would have
/// to share or merge. At live pace (the default span) no UTC day passes and no refit runs inside
/// the run, so that work does not enter the figures.
func runShards(_ options: Options) throws {
    let shardCounts = try options.ints("shards", default: [1, 2, 1, 2])
    let events = try options.int("events", default: 300_000)
    let passes = try options.int("passes", default: 4)
    // 3 s of event time per 300,000 events: a live stream's pace (benchmark 3b's).
    let span = Int64(try options.int("span-ms", default: 3_000))
    // The generator's Zipf exponent (1.1 by default: its top customer sends 13.5 % of the events).
    let skewText = try options.string("skew", default: String(EventGenerator.Options().skew))
    guard let skew = Double(skewText), skew >= 0 else { throw UsageError(description: "--skew: not a non-negative number: \(skewText)") }
    guard passes >= 1, passes < PreparedEvents.maxPasses, events > 0 else { throw UsageError(description: "--passes 1–\(PreparedEvents.maxPasses - 1), --events > 0") }
    MallocTuning.apply()
    let configuration = try SegdConfiguration.load(path: try options.string("config", default: Paths.defaultConfig))

    var ratesByCount: [Int: [Double]] = [:]
    for count in shardCounts {
        let run = try ShardRun(shards: count, events: events, span: span, skew: skew, configuration: configuration)
        let measured = run.measure(passes: passes)
        ratesByCount[count, default: []].append(measured.eventsPerSecond)
        let one = ratesByCount[1].map { $0.reduce(0, +) / Double($0.count) }
        let shardEvents = run.workers.map(\.events.count)
        let split = shardEvents.map(String.init).joined(separator: " / ")
        let busy = measured.busyFractions.map { String(format: "%.0f %%", $0 * 100) }.joined(separator: " / ")
        // A customer's events all go to one shard, so the busiest shard bounds the whole.
        let busiestShare = Double(shardEvents.max() ?? 0) / Double(events)
        print("shards: \(count) × decode + engine: \(formatRate(measured.eventsPerSecond))"
            + (count > 1 ? one.map { String(format: " (%.2f× one shard's mean so far)", measured.eventsPerSecond / $0) } ?? "" : "")
            + "; events per shard \(split)"
            + (count > 1 ? String(format: " (the busiest holds %.0f %%: %.2f× one shard at most, were work per event even)", busiestShare * 100, 1 / busiestShare) : "")
            + "; each shard busy \(busy) of the time; " + String(format: "this process used %.2f cores", measured.cores))
        fflush(nil)
        recordResult("{\"benchmark\":\"shards\",\"shards\":\(count),\"events\":\(events * passes),\"span_ms\":\(span),\"skew\":\(skew),"
            + "\"events_per_s\":\(Int(measured.eventsPerSecond)),\"shard_events\":[\(shardEvents.map(String.init).joined(separator: ","))],"
            + "\"busy\":[\(measured.busyFractions.map { String(format: "%.3f", $0) }.joined(separator: ","))],"
            + "\"cores\":\(String(format: "%.3f", measured.cores))}")
    }
    let means = ratesByCount.keys.sorted().map { count in
        let rates = ratesByCount[count]!
        return (count, rates.reduce(0, +) / Double(rates.count))
    }
    if let one = means.first(where: { $0.0 == 1 })?.1 {
        print("shards: means " + means.map { "\($0.0) × \(formatRate($0.1)) (\(String(format: "%.2f", $0.1 / one))×)" }.joined(separator: ", ")
            + " on \(ProcessInfo.processInfo.activeProcessorCount) cores")
    }
}

/// One shard's stream and engine, used by one thread at a time.
private final class ShardWorker: @unchecked Sendable {
    let events: PreparedEvents
    var pipeline: Pipeline
    /// Wall time this shard spent ingesting in measured passes.
    var busyNanoseconds: UInt64 = 0

    init(_ shard: CustomerShard, events: Int, span: Int64, skew: Double, configuration: SegdConfiguration) throws {
        self.events = PreparedEvents(count: events, skew: skew, span: span, shard: shard)
        pipeline = try Pipeline(configuration: configuration.engine, maxPayloadBytes: configuration.ingest.maxMessageBytes)
    }

    func ingestPass() {
        Ingest.ingestAll(events, &pipeline, 0..<events.count)
    }
}

private struct ShardRun: Sendable {
    let workers: [ShardWorker]

    init(shards: Int, events: Int, span: Int64, skew: Double, configuration: SegdConfiguration) throws {
        workers = try (0..<shards).map {
            try ShardWorker(CustomerShard($0, of: shards), events: events, span: span, skew: skew, configuration: configuration)
        }
        // Every event in exactly one shard: the split loses none and doubles none.
        precondition(workers.map(\.events.count).reduce(0, +) == events, "the shards' events do not add up to the stream's")
    }

    /// Pass 0 warms every shard up unmeasured (its customers known, as in a running daemon); then
    /// each measured pass starts every shard's thread on its events together and ends when the last
    /// is done. Rewriting a pass's ids and times happens between passes, outside the time.
    func measure(passes: Int) -> (eventsPerSecond: Double, busyFractions: [Double], cores: Double) {
        onEveryShard { $0.events.preparePass(0); $0.ingestPass() }
        var wall: UInt64 = 0
        var cpu = 0.0
        for pass in 1...passes {
            onEveryShard { $0.events.preparePass(pass) }
            let cpuBefore = processCPUSeconds()
            let start = monotonicNanoseconds()
            onEveryShard { worker in
                let started = monotonicNanoseconds()
                worker.ingestPass()
                worker.busyNanoseconds += monotonicNanoseconds() - started
            }
            wall += monotonicNanoseconds() - start
            cpu += processCPUSeconds() - cpuBefore
        }
        let total = workers.map(\.events.count).reduce(0, +) * passes
        return (Double(total) * 1e9 / Double(wall), workers.map { Double($0.busyNanoseconds) / Double(wall) }, cpu * 1e9 / Double(wall))
    }

    /// Runs `body` for every shard, each on a thread of its own, and returns when all are done.
    private func onEveryShard(_ body: @Sendable (ShardWorker) -> Void) {
        DispatchQueue.concurrentPerform(iterations: workers.count) { body(workers[$0]) }
    }
}
