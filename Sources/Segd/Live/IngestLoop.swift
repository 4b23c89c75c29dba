import Foundation
public import Logging
import SegdCore
import Synchronization
import ZeroMQ

/// The daemon's event loop: owns the inbound SUB and PULL sockets, the outbound PUB socket and
/// the ``Pipeline``, all on one thread (libzmq sockets are not thread-safe and the engine has one
/// writer). It receives in batches, runs each message through the pipeline, publishes what the
/// engine produced, and when traffic is idle advances the engine clock with the wall clock so
/// timers fire without new events.
///
/// Other threads may only call ``stop()`` and read the counters: the stop flag is atomic and the
/// wakeup is an eventfd in the poll set, so a stop request is seen within one poll.
public final class IngestLoop: Sendable {
    public let configuration: SegdConfiguration
    private let context: ZMQContext
    private let wakeup: Wakeup
    private let stopRequested = Atomic<Bool>(false)
    /// Inbound messages fully processed (accepted or dead-lettered), for progress checks.
    private let processedCount = Atomic<Int>(0)
    /// A validated configuration waiting to be applied by the loop thread, posted by ``reload(_:)``.
    private let pendingReload = Mutex<SegdConfiguration?>(nil)
    /// A churn model refit finished on its background thread, waiting for the loop to install it.
    private let finishedRefit = Mutex<Result<ChurnModel, ChurnFitError>?>(nil)
    /// Reloads applied so far, for tests and status.
    private let reloadCount = Atomic<Int>(0)
    private let logger: Logger
    /// Readiness, watchdog and metrics for operators.
    public let ops: DaemonOps
    /// The admin endpoints' questions, answered between batches.
    public let queries: LoopQueries

    public init(configuration: SegdConfiguration, logger: Logger, ops: DaemonOps = DaemonOps()) throws {
        self.configuration = configuration
        self.logger = logger
        self.ops = ops
        context = try ZMQContext()
        let wakeup = try Wakeup()
        self.wakeup = wakeup
        queries = LoopQueries { wakeup.signal() }
    }

    /// Inbound messages processed so far.
    public var processed: Int { processedCount.load(ordering: .acquiring) }

    /// Asks the loop to finish: it stops receiving, processes what it already took, publishes the
    /// resulting alerts and returns. Safe from any thread, any number of times.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        wakeup.signal()
    }

    /// Asks the loop to apply `configuration`'s segment rules and log level at its next turn,
    /// keeping all customer state. Safe from any thread.
    public func reload(_ configuration: SegdConfiguration) {
        pendingReload.withLock { $0 = configuration }
        wakeup.signal()
    }

    /// Reloads applied so far.
    public var reloads: Int { reloadCount.load(ordering: .acquiring) }

    /// Runs the loop on the calling thread until ``stop()``. Binds and connects first and calls
    /// `ready` with the resolved endpoints; returns the final engine summary (JSON).
    public func run(ready: (BoundEndpoints) -> Void) throws -> String {
        var pipeline = try LivePipelineFactory.make(configuration)
        let sockets = try LiveSockets(configuration: configuration, context: context)
        defer { sockets.close() }
        defer { queries.stop() }
        ready(sockets.endpoints)
        ops.health.markReady()
        try? ops.notifier.ready(status: "ingesting; \(pipeline.engine.store.count) customers")
        logger.info("ready", metadata: [
            "sub": "\(sockets.endpoints.sub)", "pull": "\(sockets.endpoints.pull)", "publish": "\(sockets.endpoints.publish)",
            "segments": "\(pipeline.engine.segments.count)",
        ])

        let poller = ZMQPoller()
        let inbound = sockets.inbound.map { poller.register($0) }
        let wakeupItem = poller.register(fileDescriptor: wakeup.fileDescriptor)
        var frames = ZMQFrameSet(capacity: 2)
        let idleAdvance = configuration.idleAdvanceMilliseconds
        let batchSize = configuration.ingest.batchSize
        var lastTraffic = WallClock.milliseconds()
        var logger = self.logger
        var refitRunning = false
        var lastMetrics: Int64 = 0
        let pollWait = min(idleAdvance, DaemonOps.maximumPollWait)

        while !stopRequested.load(ordering: .acquiring) {
            try poller.poll(timeout: .milliseconds(pollWait))
            ops.beat()
            if poller.isReadable(wakeupItem) { _ = wakeup.drain() }
            if let replacement = pendingReload.withLock({ pending in defer { pending = nil }; return pending }) {
                apply(replacement, to: &pipeline, logger: &logger)
                try publish(&pipeline, on: sockets.publisher)
            }
            if let refit = finishedRefit.withLock({ finished in defer { finished = nil }; return finished }) {
                install(refit, into: &pipeline)
                refitRunning = false
                try publish(&pipeline, on: sockets.publisher)
            }
            var received = 0
            let now = WallClock.milliseconds()
            let started = MonotonicClock.microseconds()
            for (index, item) in inbound.enumerated() where poller.isReadable(item) {
                received += try receiveBatch(from: sockets.inbound[index], into: &frames, pipeline: &pipeline, limit: batchSize, at: now)
            }
            if received > 0 {
                ops.metrics.processingSeconds.record(.microseconds(Int64(MonotonicClock.microseconds() - started)))
            }
            if received > 0 {
                lastTraffic = now
            } else if now - lastTraffic >= idleAdvance {
                pipeline.engine.advanceClock(to: now - configuration.engine.allowedLatenessMilliseconds)
                lastTraffic = now
            }
            if !refitRunning, let refit = pipeline.engine.takeChurnRefit() {
                refitRunning = true
                startRefit(refit)
            }
            try publish(&pipeline, on: sockets.publisher)
            queries.answer(from: pipeline.engine)
            if now - lastMetrics >= Self.metricsInterval {
                ops.publish(pipeline.engine)
                lastMetrics = now
            }
        }

        ops.health.markStopping()
        try? ops.notifier.stopping(status: "draining")
        // Graceful stop: take what is already queued (without waiting for more), publish, close.
        for socket in sockets.inbound {
            while try receiveBatch(from: socket, into: &frames, pipeline: &pipeline, limit: batchSize, at: WallClock.milliseconds()) > 0 {
                try publish(&pipeline, on: sockets.publisher)
            }
        }
        try publish(&pipeline, on: sockets.publisher)
        ops.publish(pipeline.engine)
        let summary = EngineSummary.json(pipeline.engine)
        logger.info("stopped", metadata: ["processed": "\(processed)", "last_seq": "\(pipeline.engine.nextSeq - 1)"])
        return summary
    }

    /// Applies a reloaded configuration's rules and log level; settings that need a restart
    /// (sockets, windows, currency, time bounds) are kept and named in a warning.
    private func apply(_ replacement: SegdConfiguration, to pipeline: inout Pipeline, logger: inout Logger) {
        try? ops.notifier.reloading(status: "reloading \(replacement.file)")
        defer { try? ops.notifier.ready(status: "ingesting; reloads \(reloads)") }
        do {
            let before = pipeline.engine.nextSeq
            try pipeline.engine.reload(segments: replacement.engine.segments)
            logger.logLevel = replacement.logLevel
            reloadCount.add(1, ordering: .releasing)
            ops.metrics.reloads(succeeded: true).add(1)
            logger.notice("reloaded", metadata: [
                "file": "\(replacement.file)", "segments": "\(replacement.engine.segments.count)",
                "alerts": "\(pipeline.engine.nextSeq - before)",
            ])
            let ignored = configuration.restartOnlyDifferences(from: replacement)
            if !ignored.isEmpty {
                logger.warning("reload keeps the running values of settings that need a restart", metadata: ["settings": "\(ignored.joined(separator: ", "))"])
            }
        } catch {
            ops.metrics.reloads(succeeded: false).add(1)
            logger.error("reload failed; the previous rules stay in force", metadata: ["error": "\(error)"])
        }
    }

    /// How often (wall clock) the engine's counters are copied into the metrics.
    private static let metricsInterval: Int64 = 200

    /// Fits the churn model on a thread of its own, so ingest goes on meanwhile; the loop
    /// installs the result at its next turn (woken by the eventfd).
    private func startRefit(_ refit: ChurnRefit) {
        logger.info("churn model refit started", metadata: ["customers": "\(refit.summaries.count)"])
        let thread = Thread { [self] in
            let result = Result { () throws(ChurnFitError) in try refit.run().model }
            finishedRefit.withLock { $0 = result }
            wakeup.signal()
        }
        thread.name = "segd-refit"
        thread.start()
    }

    private func install(_ refit: Result<ChurnModel, ChurnFitError>, into pipeline: inout Pipeline) {
        switch refit {
        case .success(let model):
            let before = pipeline.engine.nextSeq
            pipeline.engine.installChurnModel(model)
            logger.notice("churn model refitted", metadata: [
                "r": "\(model.purchases.r)", "alpha": "\(model.purchases.alpha)", "a": "\(model.purchases.a)", "b": "\(model.purchases.b)",
                "one_time_buyer_days": "\(model.oneTimeBuyerDays.map { "\($0)" } ?? "none")", "alerts": "\(pipeline.engine.nextSeq - before)",
            ])
        case .failure(let error):
            pipeline.engine.noteChurnRefitFailure()
            logger.warning("churn model refit failed; the model in force stays", metadata: ["error": "\(error)"])
        }
    }

    /// Receives up to `limit` messages without blocking and runs each through the pipeline, as
    /// received at wall-clock time `now`.
    private func receiveBatch(from socket: ZMQSocket, into frames: inout ZMQFrameSet, pipeline: inout Pipeline, limit: Int, at now: Int64) throws -> Int {
        var count = 0
        while count < limit, try socket.receive(into: &frames, dontWait: true) {
            Self.process(frames, pipeline: &pipeline, receivedAt: now)
            count += 1
        }
        if count > 0 { processedCount.add(count, ordering: .releasing) }
        return count
    }

    private static func process(_ frames: borrowing ZMQFrameSet, pipeline: inout Pipeline, receivedAt: Int64) {
        if frames.totalFrameCount == 2 {
            frames.withFrame(0) { topic in
                frames.withFrame(1) { payload in pipeline.ingest(topic: topic, payload: payload, receivedAt: receivedAt) }
            }
        } else if frames.count >= 2 {
            frames.withFrame(0) { topic in
                frames.withFrame(1) { payload in pipeline.rejectFrameCount(topic: topic, payload: payload, frames: frames.totalFrameCount) }
            }
        } else {
            frames.withFrame(0) { topic in
                pipeline.rejectFrameCount(topic: topic, payload: UnsafeRawBufferPointer(start: nil, count: 0), frames: 1)
            }
        }
    }

    /// Sends every outbound message the engine produced. PUB never blocks: at the high-water mark
    /// libzmq drops for the slow subscriber, which catches up from the outbound log (a later issue).
    private func publish(_ pipeline: inout Pipeline, on publisher: ZMQSocket) throws {
        guard !pipeline.engine.outbound.isEmpty else { return }
        try pipeline.engine.outbound.forEach { topic, json in
            try publisher.send(topic, json, dontWait: true)
        }
        pipeline.engine.outbound.removeAll()
    }
}

/// Wall-clock time in epoch milliseconds, used only to advance the engine clock when idle.
enum WallClock {
    static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}
