import Benchmark
import BenchSupport
import Glibc
import SegdCore

// Benchmarks 1–3 of Benchmarks/README.md: the decoder alone, the engine alone on events decoded
// ahead of time, and the whole pipeline (decode + engine) as the ingest loop runs it.
//
// Every benchmark iterates over one pass of `eventsPerPass` generated events (seed 1, 100,000
// customers, 80/15/5 mix over 90 days of event time), so with `scalingFactor: .mega` the
// framework's per-iteration numbers are per million events: throughput (iterations/s) reads as
// millions of events a second, mallocCountTotal as mallocs per million events. Each benchmark also
// prints its own events/s line at the end.
//
// Engine and pipeline keep one long-lived engine across iterations (as the daemon does): pass 0
// warms it up unmeasured in setup, and every iteration then replays the stream as a new pass (new
// event ids, times shifted forward by the span), so it measures the steady state with every
// customer known, timers firing and dedup entries expiring — not an empty engine filling up.

let eventsPerPass = 1_000_000
/// Outbound messages are discarded every this many events, as the ingest loop publishes after each
/// receive batch (`[ingest] batch_size`, default 512).
let batch = 512
/// Wall-clock receipt time given to the engine: far enough ahead that no generated event is `future`.
let receivedAt = Int64.max / 4

let metrics: [BenchmarkMetric] = [.throughput, .wallClock, .mallocCountTotal]

/// State shared by a benchmark's setup, iterations and teardown. Each benchmark runs in its own
/// process, so only the one that runs pays for its setup.
final class State: @unchecked Sendable {
    static let shared = State()
    var prepared: PreparedEvents?
    var preDecoded: PreDecodedEvents?
    var engine: SegmentEngine?
    var pipeline: Pipeline?
    var decoder = EventDecoder()
    var nextPass = 1
    var measuredEvents = 0
    var measuredNanoseconds: UInt64 = 0
    var bestEventsPerSecond = 0.0
    var sink: Int64 = 0

    func record(events: Int, nanoseconds: UInt64) {
        measuredEvents += events
        measuredNanoseconds += nanoseconds
        bestEventsPerSecond = max(bestEventsPerSecond, Double(events) * 1e9 / Double(nanoseconds))
    }

    func report(_ name: String, extra: String = "") {
        let mean = Double(measuredEvents) * 1e9 / Double(max(1, measuredNanoseconds))
        print("\(name): \(Int(mean)) events/s (mean over \(measuredEvents) events; best iteration \(Int(bestEventsPerSecond)) events/s)\(extra)")
        fflush(nil)
    }
}

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

func engineSummary(_ engine: SegmentEngine) -> String {
    let statistics = engine.statistics
    return "; engine: \(statistics.accepted) accepted, \(statistics.rejected) rejected \(statistics.rejectedByReason), "
        + "\(statistics.alerts) alerts, \(engine.store.count) customers"
}

// MARK: - Loops (each takes its state inout so the whole pass is one access)

func decodeAll(_ prepared: PreparedEvents, _ decoder: inout EventDecoder, _ iterations: Range<Int>) -> Int64 {
    var sum: Int64 = 0
    for index in iterations {
        let result = prepared.withMessage(index % prepared.count) { decoder.decode(topic: $0, payload: $1) }
        if case .success(let event) = result { sum &+= event.timestamp } else { sum &-= 1 }
    }
    return sum
}

func applyAll(_ events: PreDecodedEvents, _ engine: inout SegmentEngine, _ iterations: Range<Int>) {
    let text = events.text
    events.events.withUnsafeBufferPointer { decoded in
        for index in iterations {
            if let rejection = engine.apply(decoded[index], text: text, receivedAt: receivedAt) {
                engine.reject(rejection, topic: UnsafeRawBufferPointer(start: nil, count: 0), payload: UnsafeRawBufferPointer(start: nil, count: 0), frames: 2)
            }
            if index % batch == batch - 1 { engine.outbound.removeAll() }
        }
    }
    engine.outbound.removeAll()
}

func ingestAll(_ prepared: PreparedEvents, _ pipeline: inout Pipeline, _ iterations: Range<Int>) {
    for index in iterations {
        prepared.withMessage(index) { pipeline.ingest(topic: $0, payload: $1, receivedAt: receivedAt) }
        if index % batch == batch - 1 { pipeline.engine.outbound.removeAll() }
    }
    pipeline.engine.outbound.removeAll()
}

let benchmarks: @Sendable () -> Void = {
    let state = State.shared

    // 1. The decoder alone: wire bytes to DecodedEvent.
    Benchmark(
        "decode only",
        configuration: .init(
            metrics: metrics, warmupIterations: 1, scalingFactor: .mega, maxDuration: .seconds(15), maxIterations: 10,
            setup: {
                state.prepared = PreparedEvents(count: eventsPerPass)
                state.prepared!.preparePass(0)
            },
            teardown: { state.report("decode only") })
    ) { benchmark in
        let prepared = state.prepared!
        let start = monotonicNanoseconds()
        state.sink &+= decodeAll(prepared, &state.decoder, benchmark.scaledIterations)
        state.record(events: benchmark.scaledIterations.count, nanoseconds: monotonicNanoseconds() - start)
        blackHole(state.sink)
    }

    // 2. The engine alone, on events decoded ahead of time (SegmentEngine.apply, as Pipeline calls it).
    Benchmark(
        "engine only (pre-decoded)",
        configuration: .init(
            metrics: metrics, warmupIterations: 1, scalingFactor: .mega, maxDuration: .seconds(20), maxIterations: 10,
            setup: {
                let prepared = PreparedEvents(count: eventsPerPass)
                let events = PreDecodedEvents(prepared)
                var engine = try SegmentEngine(configuration: DefaultConfig.engineConfiguration())
                events.preparePass(0)
                applyAll(events, &engine, 0..<eventsPerPass)
                state.preDecoded = events
                state.engine = engine
            },
            teardown: { state.report("engine only (pre-decoded)", extra: engineSummary(state.engine!)) })
    ) { benchmark in
        let events = state.preDecoded!
        events.preparePass(state.nextPass)
        state.nextPass += 1
        benchmark.startMeasurement()
        let start = monotonicNanoseconds()
        applyAll(events, &state.engine!, benchmark.scaledIterations)
        state.record(events: benchmark.scaledIterations.count, nanoseconds: monotonicNanoseconds() - start)
        benchmark.stopMeasurement()
    }

    // 3. Decode + engine: Pipeline.ingest over (topic, payload) pairs, what the ingest loop does per message.
    Benchmark(
        "decode + engine (Pipeline.ingest)",
        configuration: .init(
            metrics: metrics, warmupIterations: 1, scalingFactor: .mega, maxDuration: .seconds(20), maxIterations: 10,
            setup: {
                let prepared = PreparedEvents(count: eventsPerPass)
                var pipeline = try Pipeline(configuration: DefaultConfig.engineConfiguration(), maxPayloadBytes: 65_536)
                prepared.preparePass(0)
                ingestAll(prepared, &pipeline, 0..<eventsPerPass)
                state.prepared = prepared
                state.pipeline = pipeline
            },
            teardown: { state.report("decode + engine (Pipeline.ingest)", extra: engineSummary(state.pipeline!.engine)) })
    ) { benchmark in
        let prepared = state.prepared!
        prepared.preparePass(state.nextPass)
        state.nextPass += 1
        benchmark.startMeasurement()
        let start = monotonicNanoseconds()
        ingestAll(prepared, &state.pipeline!, benchmark.scaledIterations)
        state.record(events: benchmark.scaledIterations.count, nanoseconds: monotonicNanoseconds() - start)
        benchmark.stopMeasurement()
    }
}
