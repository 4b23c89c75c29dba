import Foundation
public import Logging
import SegdCore
import SegdDurability
import Synchronization
import ZeroMQ

/// The daemon's event loop: owns the outbound XPUB socket and the ``Pipeline`` on one thread (the
/// engine has one writer). The ``Receiver`` thread owns the inbound SUB and PULL sockets and hands
/// over batches of received, decoded messages; the loop journals and applies each batch, publishes
/// what the engine produced, and when traffic is idle advances the engine clock with the wall
/// clock so timers fire without new events.
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
        let (publishSocket, publishEndpoints) = try PublishSocket.make(configuration.publish, context: context)
        defer { publishSocket.close() }
        let handoff = try BatchHandoff(loopWakeup: wakeup)
        let inbound = try Receiver.start(configuration, context: context, handoff: handoff, ops: ops)
        // Any way out of the loop but a graceful stop leaves the receiver nothing to hand over to.
        defer { Self.abandon(handoff) }
        defer { queries.stop() }
        let endpoints = BoundEndpoints(sub: inbound.sub, pull: inbound.pull, publish: publishEndpoints)
        ready(endpoints)
        ops.health.markReady()
        try? ops.notifier.ready(status: "ingesting; \(journaled.engine.store.count) customers")
        logger.info("ready", metadata: [
            "sub": "\(endpoints.sub)", "pull": "\(endpoints.pull)", "publish": "\(endpoints.publish)",
            "segments": "\(journaled.engine.segments.count)",
        ])

        let poller = ZMQPoller()
        let publisher = OutboundPublisher(socket: publishSocket, metrics: ops.metrics)
        // Subscriptions come up the outbound socket; polled so they are read as they arrive.
        let subscriptions = poller.register(publishSocket)
        let wakeupItem = poller.register(fileDescriptor: wakeup.fileDescriptor)
        let idleAdvance = configuration.idleAdvanceMilliseconds
        var lastTraffic = WallClock.milliseconds()
        var logger = self.logger
        var refitRunning = false
        var lastMetrics: Int64 = 0
        // Ids forgotten early are counted in the metrics; the log says so once per run.
        let forgottenAtStart = journaled.engine.dedupForgottenEarly
        var warnedForgottenEarly = false
        let pollWait = min(idleAdvance, DaemonOps.maximumPollWait)
        // Alerts of a reload at start (rules changed while stopped) go out first.
        try publish(journaled, on: publisher)

        while !stopRequested.load(ordering: .acquiring) {
            // Batches already queued are applied without sleeping; the receiver signals the
            // wakeup when the queue stops being empty.
            try poller.poll(timeout: .milliseconds(handoff.hasReady ? 0 : pollWait))
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
            let now = WallClock.milliseconds()
            if let batch = handoff.takeReady() {
                try apply(batch, to: journaled, handoff: handoff)
                lastTraffic = now
            } else {
                if case .failure(let error)? = handoff.receiverOutcome { throw error }
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
                if !warnedForgottenEarly, journaled.engine.dedupForgottenEarly > forgottenAtStart {
                    warnedForgottenEarly = true
                    logger.warning("dedup_max_ids reached: the oldest event ids are forgotten before dedup_horizon ends, so their retries would be accepted; raise [engine] dedup_max_ids or shorten dedup_horizon (segd_dedup_forgotten_early_total counts them)", metadata: [
                        "dedup_max_ids": "\(journaled.engine.configuration.dedupCapacity)",
                        "dedup_horizon": "\(EventTimeText.formatDuration(journaled.engine.configuration.dedupHorizonMilliseconds))",
                    ])
                }
                ops.publish(journaled.engine)
                journaled.state?.exportMetrics()
                lastMetrics = now
            }
        }

        ops.health.markStopping()
        try? ops.notifier.stopping(status: "draining")
        // Graceful stop: the receiver takes what is already queued (without waiting for more);
        // its batches are applied and published, then a snapshot, then close.
        handoff.stopReceiver(.drain)
        while true {
            if let batch = handoff.takeReady() {
                try apply(batch, to: journaled, handoff: handoff)
                try publish(journaled, on: publisher)
            } else if let outcome = handoff.receiverOutcome {
                try outcome.get()
                break
            } else {
                try poller.poll(timeout: .milliseconds(pollWait))
                if poller.isReadable(wakeupItem) { _ = wakeup.drain() }
                if poller.isReadable(subscriptions) { try publisher.drainSubscriptions(logger: logger) }
            }
        }
        try publish(journaled, on: publisher)
        try journaled.state?.close(journaled.engine)
        ops.publish(journaled.engine)
        let summary = EngineSummary.json(journaled.engine)
        logger.info("stopped", metadata: ["processed": "\(processed)", "last_seq": "\(journaled.engine.nextSeq - 1)"])
        return summary
    }

    /// Journals and applies one batch from the receiver, then gives it back for reuse.
    private func apply(_ batch: consuming InboundBatch, to journaled: JournaledPipeline, handoff: BatchHandoff) throws(DurabilityError) {
        let started = MonotonicClock.microseconds()
        try journaled.apply(batch)
        processedCount.add(batch.count, ordering: .releasing)
        ops.metrics.processingSeconds.record(.microseconds(Int64(MonotonicClock.microseconds() - started)))
        handoff.giveBack(batch)
    }

    /// Stops the receiver at once and waits for it to close its sockets: the way out of ``run``
    /// after a failure (after a graceful stop it has finished already).
    private static func abandon(_ handoff: BatchHandoff) {
        handoff.stopReceiver(.abandon)
        let poller = ZMQPoller()
        _ = poller.register(fileDescriptor: handoff.loopWakeup.fileDescriptor)
        while handoff.receiverOutcome == nil {
            _ = try? poller.poll(timeout: .milliseconds(DaemonOps.maximumPollWait))
            handoff.loopWakeup.drain()
        }
    }

    /// Applies a reloaded configuration's rules, dedup capacity and log level; settings that need a restart
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
        if replacement.engine.dedupCapacity != journaled.engine.configuration.dedupCapacity {
            try journaled.change(.dedupCapacity(replacement.engine.dedupCapacity))
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
        NamedThread.start("segd-refit", background: true) { [self] in
            let result = Result { () throws(ChurnFitError) in try refit.run().model }
            finishedRefit.withLock { $0 = result }
            wakeup.signal()
        }
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
