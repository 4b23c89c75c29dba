import Benchmark
import BenchSupport
import Glibc
import SegdCore

// Benchmarks 1–3 of Benchmarks/README.md: the decoder alone, the engine alone on events decoded
// ahead of time, and the whole pipeline (decode + engine) as the ingest loop runs it.
//
// The input is one pass of `eventsPerPass` generated events (EventGenerator: seed 1, 100,000
// customers, Zipf skew 1.1, 80/15/5 mix, 90 days of event time). Each benchmark iteration handles
// the next 1,000 events (`scalingFactor: .kilo`), so with `swift package benchmark --scale` the
// framework's numbers are per 1,000 events (mallocCountTotal = mallocs per 1,000 events; throughput
// = thousands of events a second); without `--scale` they are per event, rounded. Each benchmark
// also prints its own events/s line at the end.
//
// Engine and pipeline keep one long-lived engine across iterations (as the daemon does): pass 0
// warms it up unmeasured in setup, and when a pass is used up the stream is rewritten as the next
// pass (new event ids, times shifted forward by the span, unmeasured), so iterations measure the
// steady state with the customers known, timers firing and dedup entries expiring — not an empty
// engine filling up.

let eventsPerPass = 300_000

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
    /// Next event of the current pass.
    var cursor = 0
    var measuredEvents = 0
    var measuredNanoseconds: UInt64 = 0
    var bestEventsPerSecond = 0.0
    var sink: Int64 = 0

    /// Starts a benchmark afresh: `swift package benchmark` runs each benchmark in a process of its
    /// own, but the binary run directly runs every benchmark it matches in one.
    func begin() {
        nextPass = 1
        cursor = 0
        measuredEvents = 0
        measuredNanoseconds = 0
        bestEventsPerSecond = 0
    }

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

func decodeAll(_ prepared: PreparedEvents, _ decoder: inout EventDecoder, _ indices: Range<Int>) -> Int64 {
    var sum: Int64 = 0
    for index in indices {
        let result = prepared.withMessage(index) { decoder.decode(topic: $0, payload: $1) }
        if case .success(let event) = result { sum &+= event.timestamp } else { sum &-= 1 }
    }
    return sum
}

/// Applies the events as the ingest loop applies a received batch: a group of
/// `SegmentEngine.readAheadGroupSize` at a time, each group's dedup slots read together first
/// when `readingAhead` (`SegmentEngine.readAheadAdmissions`).
func applyAll(_ events: PreDecodedEvents, _ engine: inout SegmentEngine, _ indices: Range<Int>, readingAhead: Bool = true) {
    let text = events.text
    events.events.withUnsafeBufferPointer { decoded in
        for groupStart in stride(from: indices.lowerBound, to: indices.upperBound, by: SegmentEngine.readAheadGroupSize) {
            let group = groupStart..<min(groupStart + SegmentEngine.readAheadGroupSize, indices.upperBound)
            if readingAhead {
                text.withUnsafeBytes { bytes in
                    for index in group { engine.announceAdmission(ofEventID: UnsafeRawBufferPointer(rebasing: bytes[decoded[index].eventID.indices])) }
                }
                engine.readAheadAdmissions()
            }
            for index in group {
                if let rejection = engine.apply(decoded[index], text: text, receivedAt: Ingest.receivedAt) {
                    engine.reject(rejection, topic: UnsafeRawBufferPointer(start: nil, count: 0), payload: UnsafeRawBufferPointer(start: nil, count: 0), frames: 2)
                }
                if index % Ingest.batch == Ingest.batch - 1 { engine.outbound.removeAll() }
            }
        }
    }
    engine.outbound.removeAll()
}

extension State {
    /// The event indices of the next iteration; when the pass is used up, `nextPass` rewrites the
    /// stream as the next pass first (call before `startMeasurement`).
    func nextSlice(_ count: Int, nextPass: (Int) -> Void) -> Range<Int> {
        if cursor + count > eventsPerPass {
            nextPass(self.nextPass)
            self.nextPass += 1
            cursor = 0
        }
        defer { cursor += count }
        return cursor..<cursor + count
    }
}

let benchmarks: @Sendable () -> Void = {
    let state = State.shared

    // 1. The decoder alone: wire bytes to DecodedEvent; 1b the same payloads with a space inside
    // their braces, which only the full decoder reads.
    decoderBenchmark("decode only", compact: true)
    decoderBenchmark("decode only, not compact (the full decoder)", compact: false)

    // 2. The engine alone, on events decoded ahead of time, applied as the ingest loop applies a
    // received batch (SegmentEngine.readAheadAdmissions, then SegmentEngine.apply, as Pipeline calls it).
    engineBenchmark("engine only (pre-decoded)", span: 90 * 86_400_000)
    // 2b. The same at live pace with the dedup set full (the stream and state of 3e below): the
    // loop thread's work per event in a daemon past its first 100 s at 100,000 events/s. 2c is 2b
    // without the dedup slots read ahead, each group's misses then taken one event at a time.
    engineBenchmark("engine only, live pace, dedup full", span: 3_000, fillDedup: true)
    engineBenchmark("engine only, live pace, dedup full, no read-ahead", span: 3_000, fillDedup: true, readingAhead: false)

    // 3. Decode + engine: Pipeline.ingest over (topic, payload) pairs, a group at a time, as
    // `segd replay` runs it; on one thread what the daemon's receiver and loop threads do.
    pipelineBenchmark("decode + engine (Pipeline.ingest)", span: 90 * 86_400_000)
    // 3b. The same at live pace: event time advances as it would for a live stream of 100,000
    // events/s (3 s of event time per 300,000-event pass), so windows, history thresholds and
    // days barely move and nearly all the work is per event, none of it time-driven.
    pipelineBenchmark("decode + engine, live pace (Pipeline.ingest)", span: 3_000)
    // 3c–3e take the live-pace floor apart (Benchmarks/README.md, benchmark 3): the same stream
    // without deduplication (no event id remembered), then without it over 1,000 customers, whose
    // state stays in cache, so that only the instructions an event costs are left; and a daemon past
    // its first 100 s at 100,000 events/s, whose dedup set holds its 10 million ids
    // (`dedup_max_ids`), so that each event also forgets the oldest.
    pipelineBenchmark("decode + engine, live pace, no dedup (Pipeline.ingest)", span: 3_000) { $0.dedupHorizonMilliseconds = 0 }
    pipelineBenchmark("decode + engine, live pace, no dedup, 1,000 customers (Pipeline.ingest)", span: 3_000, customers: 1_000) {
        $0.dedupHorizonMilliseconds = 0
    }
    pipelineBenchmark("decode + engine, live pace, dedup full (Pipeline.ingest)", span: 3_000, fillDedup: true)
}

/// One in-process benchmark: `setup` runs after the shared state is reset, each iteration times
/// `apply` over the next slice of the stream (`nextPass` rewrites the stream as its next pass when
/// a slice needs one), and teardown prints the mean and best rates, then `summary()`.
func eventBenchmark(
    _ name: String, maxDuration: Duration,
    setup: @escaping @Sendable () throws -> Void,
    summary: @escaping @Sendable () -> String = { "" },
    nextPass: @escaping @Sendable (Int) -> Void,
    apply: @escaping @Sendable (Range<Int>) -> Void
) {
    let state = State.shared
    Benchmark(
        name,
        configuration: .init(
            metrics: metrics, warmupIterations: 10, scalingFactor: .kilo, maxDuration: maxDuration, maxIterations: 1_000_000,
            setup: {
                state.begin()
                try setup()
            },
            teardown: { state.report(name, extra: summary()) })
    ) { benchmark in
        let slice = state.nextSlice(benchmark.scaledIterations.count, nextPass: nextPass)
        benchmark.startMeasurement()
        let start = monotonicNanoseconds()
        apply(slice)
        state.record(events: slice.count, nanoseconds: monotonicNanoseconds() - start)
        benchmark.stopMeasurement()
    }
}

/// Benchmark 1 (or 1b): decoding one prepared pass again and again (decoding keeps no state).
func decoderBenchmark(_ name: String, compact: Bool) {
    let state = State.shared
    eventBenchmark(
        name, maxDuration: .seconds(10),
        setup: {
            state.prepared = PreparedEvents(count: eventsPerPass, compact: compact)
            state.prepared!.preparePass(0)
        },
        nextPass: { _ in },
        apply: { slice in
            state.sink &+= decodeAll(state.prepared!, &state.decoder, slice)
            blackHole(state.sink)
        })
}

/// Benchmark 2 over a stream whose passes each cover `span` milliseconds of event time; with
/// `fillDedup`, setup runs passes until the dedup set is full (it has forgotten an id early).
func engineBenchmark(_ name: String, span: Int64, fillDedup: Bool = false, readingAhead: Bool = true) {
    let state = State.shared
    eventBenchmark(
        name, maxDuration: .seconds(15),
        setup: {
            let events = PreDecodedEvents(PreparedEvents(count: eventsPerPass, span: span))
            var engine = try SegmentEngine(configuration: DefaultConfig.engineConfiguration())
            events.preparePass(0)
            applyAll(events, &engine, 0..<eventsPerPass, readingAhead: readingAhead)
            state.cursor = eventsPerPass // pass 0 is used up: the first iteration starts pass 1
            while fillDedup, engine.dedupForgottenEarly == 0 {
                applyAll(events, &engine, state.nextSlice(eventsPerPass) { events.preparePass($0) }, readingAhead: readingAhead)
            }
            state.preDecoded = events
            state.engine = engine
        },
        summary: { engineSummary(state.engine!) },
        nextPass: { state.preDecoded!.preparePass($0) },
        apply: { slice in applyAll(state.preDecoded!, &state.engine!, slice, readingAhead: readingAhead) })
}

/// Benchmark 3 over a stream of `customers` whose passes each cover `span` milliseconds of event
/// time, with the default config's engine settings changed by `adjust`; with `fillDedup`, setup
/// runs passes until the dedup set is full (it has forgotten an id early).
func pipelineBenchmark(
    _ name: String, span: Int64, customers: Int = 100_000, fillDedup: Bool = false,
    adjust: @escaping @Sendable (inout EngineConfiguration) -> Void = { _ in }
) {
    let state = State.shared
    eventBenchmark(
        name, maxDuration: .seconds(15),
        setup: {
            let prepared = PreparedEvents(count: eventsPerPass, customers: customers, span: span)
            var configuration = DefaultConfig.engineConfiguration()
            adjust(&configuration)
            var pipeline = try Pipeline(configuration: configuration, maxPayloadBytes: 65_536)
            prepared.preparePass(0)
            Ingest.ingestAll(prepared, &pipeline, 0..<eventsPerPass)
            state.cursor = eventsPerPass // pass 0 is used up: the next slice starts pass 1
            while fillDedup, pipeline.engine.dedupForgottenEarly == 0 {
                Ingest.ingestAll(prepared, &pipeline, state.nextSlice(eventsPerPass) { prepared.preparePass($0) })
            }
            state.prepared = prepared
            state.pipeline = pipeline
        },
        summary: { engineSummary(state.pipeline!.engine) },
        nextPass: { state.prepared!.preparePass($0) },
        apply: { slice in Ingest.ingestAll(state.prepared!, &state.pipeline!, slice) })
}
