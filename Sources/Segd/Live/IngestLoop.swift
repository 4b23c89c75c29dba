import Foundation
public import Logging
import SegdCore
import SegdDurability
import Synchronization
import ZeroMQ

/// The daemon's event loop: owns the inbound SUB and PULL sockets, the outbound XPUB socket and
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

    /// Runs the loop on the calling thread until ``stop()``. Recovers the saved state, binds and
    /// connects, then calls `ready` with the resolved endpoints; returns the final engine summary (JSON).
    public func run(ready: (BoundEndpoints) -> Void) throws -> String {
        let journaled = try JournaledPipeline(configuration: configuration, logger: logger, metrics: ops.metrics)
        // The recovered counters, before anyone is told the daemon is ready.
        ops.publish(journaled.engine)
        let sockets = try LiveSockets(configuration: configuration, context: context)
        defer { sockets.close() }
        defer { queries.stop() }
        ready(sockets.endpoints)
        ops.health.markReady()
        try? ops.notifier.ready(status: "ingesting; \(journaled.engine.store.count) customers")
        logger.info("ready", metadata: [
            "sub": "\(sockets.endpoints.sub)", "pull": "\(sockets.endpoints.pull)", "publish": "\(sockets.endpoints.publish)",
            "segments": "\(journaled.engine.segments.count)",
        ])

        let poller = ZMQPoller()
        let inbound = sockets.inbound.map { poller.register($0) }
        let publisher = OutboundPublisher(socket: sockets.publisher, metrics: ops.metrics)
        // Subscriptions come up the outbound socket; polled so they are read as they arrive.
        let subscriptions = poller.register(sockets.publisher)
        let wakeupItem = poller.register(fileDescriptor: wakeup.fileDescriptor)
        var frames = ZMQFrameSet(capacity: 2)
        var producers = ProducerSequences()
        let idleAdvance = configuration.idleAdvanceMilliseconds
        let batchSize = configuration.ingest.batchSize
        var lastTraffic = WallClock.milliseconds()
        var logger = self.logger
        var refitRunning = false
        var lastMetrics: Int64 = 0
        let pollWait = min(idleAdvance, DaemonOps.maximumPollWait)
        // Alerts of a reload at start (rules changed while stopped) go out first.
        try publish(journaled, on: publisher)

        while !stopRequested.load(ordering: .acquiring) {
            try poller.poll(timeout: .milliseconds(pollWait))
            ops.beat()
            if poller.isReadable(wakeupItem) { _ = wakeup.drain() }
            if poller.isReadable(subscriptions) { try publisher.drainSubscriptions(logger: logger) }
            if let replacement = pendingReload.withLock({ pending in defer { pending = nil }; return pending }) {
                try apply(replacement, to: journaled, logger: &logger)
                try publish(journaled, on: publisher)
            }
            if let refit = finishedRefit.withLock({ finished in defer { finished = nil }; return finished }) {
                try install(refit, into: journaled)
                refitRunning = false
                try publish(journaled, on: publisher)
            }
            var received = 0
            let now = WallClock.milliseconds()
            let started = MonotonicClock.microseconds()
            for (index, item) in inbound.enumerated() where poller.isReadable(item) {
                received += try receiveBatch(
                    from: sockets.inbound[index], into: &frames, journaled: journaled, producers: &producers, limit: batchSize, at: now)
            }
            if received > 0 {
                ops.metrics.processingSeconds.record(.microseconds(Int64(MonotonicClock.microseconds() - started)))
                lastTraffic = now
            } else {
                if now - lastTraffic >= idleAdvance {
                    try journaled.change(.clockAdvance(now - configuration.engine.allowedLatenessMilliseconds))
                    lastTraffic = now
                }
                try journaled.state?.idle()
            }
            if !refitRunning, journaled.engine.churnRefitDue, case .refit(let refit) = try journaled.change(.refitTaken) {
                refitRunning = true
                startRefit(refit)
            }
            try publish(journaled, on: publisher)
            try forget(queries.takeForgetRequests(), in: journaled, on: publisher)
            queries.answer(from: journaled.engine)
            try journaled.state?.snapshotIfDue(journaled.engine, now: now) { [wakeup] in wakeup.signal() }
            if now - lastMetrics >= Self.metricsInterval {
                // Producers first: a scrape that sees an event counted also sees its stamp.
                ops.publish(producers)
                ops.publish(journaled.engine)
                journaled.state?.exportMetrics()
                lastMetrics = now
            }
        }

        ops.health.markStopping()
        try? ops.notifier.stopping(status: "draining")
        // Graceful stop: take what is already queued (without waiting for more), publish, snapshot, close.
        for socket in sockets.inbound {
            while try receiveBatch(
                from: socket, into: &frames, journaled: journaled, producers: &producers, limit: batchSize, at: WallClock.milliseconds()) > 0
            {
                try publish(journaled, on: publisher)
            }
        }
        try publish(journaled, on: publisher)
        try journaled.state?.close(journaled.engine)
        ops.publish(producers)
        ops.publish(journaled.engine)
        let summary = EngineSummary.json(journaled.engine)
        logger.info("stopped", metadata: ["processed": "\(processed)", "last_seq": "\(journaled.engine.nextSeq - 1)"])
        return summary
    }

    /// Applies a reloaded configuration's rules and log level; settings that need a restart
    /// (sockets, windows, currency, time bounds) are kept and named in a warning.
    private func apply(_ replacement: SegdConfiguration, to journaled: JournaledPipeline, logger: inout Logger) throws(DurabilityError) {
        try? ops.notifier.reloading(status: "reloading \(replacement.file)")
        defer { try? ops.notifier.ready(status: "ingesting; reloads \(reloads)") }
        let before = journaled.engine.nextSeq
        if case .reloadFailed(let error) = try journaled.change(.reload(replacement.engine.segments)) {
            ops.metrics.reloads(succeeded: false).add(1)
            logger.error("reload failed; the previous rules stay in force", metadata: ["error": "\(error)"])
            return
        }
        logger.logLevel = replacement.logLevel
        reloadCount.add(1, ordering: .releasing)
        ops.metrics.reloads(succeeded: true).add(1)
        logger.notice("reloaded", metadata: [
            "file": "\(replacement.file)", "segments": "\(replacement.engine.segments.count)",
            "alerts": "\(journaled.engine.nextSeq - before)",
        ])
        let ignored = configuration.restartOnlyDifferences(from: replacement)
        if !ignored.isEmpty {
            logger.warning("reload keeps the running values of settings that need a restart", metadata: ["settings": "\(ignored.joined(separator: ", "))"])
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

    private func install(_ refit: Result<ChurnModel, ChurnFitError>, into journaled: JournaledPipeline) throws(DurabilityError) {
        switch refit {
        case .success(let model):
            let before = journaled.engine.nextSeq
            try journaled.change(.refitInstalled(model))
            logger.notice("churn model refitted", metadata: [
                "r": "\(model.purchases.r)", "alpha": "\(model.purchases.alpha)", "a": "\(model.purchases.a)", "b": "\(model.purchases.b)",
                "one_time_buyer_days": "\(model.oneTimeBuyerDays.map { "\($0)" } ?? "none")", "alerts": "\(journaled.engine.nextSeq - before)",
            ])
        case .failure(let error):
            try journaled.change(.refitFailed)
            logger.warning("churn model refit failed; the model in force stays", metadata: ["error": "\(error)"])
        }
    }

    /// Erases each requested customer: journaled, their exits published, then a snapshot that
    /// replaces every older one and the journal before it, so the id is left nowhere on disk.
    /// Each request is answered only once that is done.
    private func forget(_ requests: [LoopQueries.ForgetRequest], in journaled: JournaledPipeline, on publisher: OutboundPublisher) throws {
        guard !requests.isEmpty else { return }
        var outcomes: [(request: LoopQueries.ForgetRequest, exits: UInt64?)] = []
        for request in requests {
            let before = journaled.engine.nextSeq
            guard case .forgot(true) = try journaled.change(.forget(customerID: request.customerID)) else {
                outcomes.append((request, nil))
                continue
            }
            outcomes.append((request, journaled.engine.nextSeq - before))
        }
        try publish(journaled, on: publisher)
        try journaled.state?.snapshotNow(journaled.engine, retain: 1)
        for (request, exits) in outcomes {
            logger.notice("customer forgotten", metadata: ["known": "\(exits != nil)", "exits": "\(exits ?? 0)"])
            request.answer(exits: exits)
        }
    }

    /// Receives up to `limit` messages without blocking and runs each through the pipeline, as
    /// received at wall-clock time `now`, noting producer stamps in `producers`.
    private func receiveBatch(
        from socket: ZMQSocket, into frames: inout ZMQFrameSet, journaled: JournaledPipeline,
        producers: inout ProducerSequences, limit: Int, at now: Int64
    ) throws -> Int {
        var count = 0
        while count < limit, try socket.receive(into: &frames, dontWait: true) {
            try Self.process(frames, journaled: journaled, receivedAt: now)
            if frames.totalFrameCount == 2 {
                // Decoded just now: the decoder's stamp, if it has one, is this message's.
                journaled.withProducerStamp { id, seq in producers.record(id: id, seq: seq) }
            }
            count += 1
        }
        if count > 0 { processedCount.add(count, ordering: .releasing) }
        return count
    }

    /// Journals and applies one received message: `[topic, payload]`, or a malformed one with
    /// its frame count for the dead letter.
    private static func process(_ frames: borrowing ZMQFrameSet, journaled: JournaledPipeline, receivedAt: Int64) throws(DurabilityError) {
        let total = frames.totalFrameCount
        try frames.withFrame(0) { (topic) throws(DurabilityError) in
            guard frames.count >= 2 else {
                let none = UnsafeRawBufferPointer(start: nil, count: 0)
                try journaled.change(.message(receivedAt: receivedAt, frames: total, topic: topic, payload: none))
                return
            }
            try frames.withFrame(1) { (payload) throws(DurabilityError) in
                _ = try journaled.change(.message(receivedAt: receivedAt, frames: total, topic: topic, payload: payload))
            }
        }
    }

    /// Commits the journal, then sends every outbound message the engine produced. Never
    /// blocks: at a subscriber's high-water mark the message is dropped for that subscriber, and
    /// counted (``OutboundPublisher``).
    private func publish(_ journaled: JournaledPipeline, on publisher: OutboundPublisher) throws {
        try journaled.commit()
        guard !journaled.engine.outbound.isEmpty else { return }
        try journaled.pipeline.engine.outbound.forEach { topic, json in
            try publisher.send(topic, json)
        }
        journaled.pipeline.engine.outbound.removeAll()
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
