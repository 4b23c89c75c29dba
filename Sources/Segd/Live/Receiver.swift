import Dispatch
import SegdCore
import Synchronization
import ZeroMQ

/// The receiving half of the ingest loop, on a thread of its own: it owns the inbound SUB and
/// PULL sockets, takes messages in batches without waiting, copies them out of libzmq and decodes
/// them (``InboundBatch``), counts producer sequence gaps, and hands each batch to the loop thread
/// (``BatchHandoff``), which journals it, applies it and publishes the outcome. libzmq's receive
/// path and decoding thus run on the second core beside the engine instead of before it; the
/// order of messages, and so everything journaled and published, stays the order received.
enum Receiver {
    /// Starts the thread, which makes and binds the inbound sockets; returns their endpoints once
    /// they are bound, or throws what went wrong (the thread has then ended).
    static func start(_ configuration: SegdConfiguration, context: ZMQContext, handoff: BatchHandoff, ops: DaemonOps) throws -> (sub: [String], pull: [String]) {
        let bound = Mutex<Result<(sub: [String], pull: [String]), any Error>?>(nil)
        let boundSignal = DispatchSemaphore(value: 0)
        let ingest = configuration.ingest
        NamedThread.start("segd-receive") {
            let sockets: InboundSockets
            do {
                sockets = try InboundSockets(ingest, context: context)
            } catch {
                bound.withLock { $0 = .failure(error) }
                boundSignal.signal()
                return
            }
            bound.withLock { $0 = .success((sockets.sub, sockets.pull)) }
            boundSignal.signal()
            var receiving = Receiving(sockets: sockets, handoff: handoff, ops: ops, ingest: ingest)
            var outcome: Result<Void, ZMQError> = .success(())
            do throws(ZMQError) {
                try receiving.run()
            } catch {
                outcome = .failure(error)
            }
            sockets.close()
            handoff.receiverFinished(outcome)
        }
        boundSignal.wait()
        return try bound.withLock { $0! }.get()
    }
}

/// The receiver thread's state and loop.
private struct Receiving: ~Copyable {
    let sockets: InboundSockets
    let handoff: BatchHandoff
    let ops: DaemonOps
    let batchSize: Int
    /// Polls the sockets and the receiver's wakeup; ``sparePoller`` the wakeup alone, for waiting
    /// on the loop to give a batch back while messages are queued.
    let poller: ZMQPoller
    let sparePoller: ZMQPoller
    let socketItems: [ZMQPoller.Item]
    let wakeupItem: ZMQPoller.Item
    var frames = ZMQFrameSet(capacity: 2)
    var decoder: EventDecoder
    var producers = ProducerSequences()
    /// The batch being filled, if the receiver holds one.
    var batch: InboundBatch?

    init(sockets: InboundSockets, handoff: BatchHandoff, ops: DaemonOps, ingest: SegdConfiguration.Ingest) {
        self.sockets = sockets
        self.handoff = handoff
        self.ops = ops
        batchSize = ingest.batchSize
        decoder = EventDecoder(maxPayloadBytes: ingest.maxMessageBytes)
        let poller = ZMQPoller()
        socketItems = sockets.sockets.map { poller.register($0) }
        wakeupItem = poller.register(fileDescriptor: handoff.receiverWakeup.fileDescriptor)
        self.poller = poller
        sparePoller = ZMQPoller()
        _ = sparePoller.register(fileDescriptor: handoff.receiverWakeup.fileDescriptor)
    }

    /// Receives until the loop asks to stop; at a drain request, first takes what the sockets
    /// hold without waiting for more.
    mutating func run() throws(ZMQError) {
        while true {
            switch handoff.stopRequest {
            case .abandon?: return
            case .drain?: return try drain()
            case nil: break
            }
            guard try holdBatch() else { continue }
            try poller.poll(timeout: .milliseconds(DaemonOps.maximumPollWait))
            if poller.isReadable(wakeupItem) { handoff.receiverWakeup.drain() }
            let now = WallClock.milliseconds()
            for (socket, item) in zip(sockets.sockets, socketItems) where poller.isReadable(item) {
                _ = try receive(from: socket, at: now)
            }
            sendBatch()
        }
    }

    /// Takes what the sockets hold, batch by batch, until all would block.
    private mutating func drain() throws(ZMQError) {
        var received = true
        while received {
            received = false
            for socket in sockets.sockets {
                while try holdBatch() == false {
                    if handoff.stopRequest == .abandon { return }
                }
                received = try receive(from: socket, at: WallClock.milliseconds()) > 0 || received
                sendBatch()
            }
        }
    }

    /// Makes sure the receiver holds a batch to fill; when all are with the loop, waits for one
    /// to come back (or for a stop request) and returns false.
    private mutating func holdBatch() throws(ZMQError) -> Bool {
        if batch != nil { return true }
        batch = handoff.takeSpare()
        if batch != nil { return true }
        try sparePoller.poll(timeout: .milliseconds(DaemonOps.maximumPollWait))
        handoff.receiverWakeup.drain()
        return false
    }

    /// Receives up to `batchSize` messages from `socket` without waiting into the held batch,
    /// until it is full, noting producer stamps; returns how many.
    private mutating func receive(from socket: ZMQSocket, at now: Int64) throws(ZMQError) -> Int {
        var count = 0
        while count < batchSize, !batch!.isFull, try socket.receive(into: &frames, dontWait: true) {
            if batch!.append(frames, receivedAt: now, decoder: &decoder), let stamp = decoder.producerStamp {
                decoder.text.withUnsafeBytes { text in
                    producers.record(id: UnsafeRawBufferPointer(rebasing: text[stamp.id.indices]), seq: stamp.seq)
                }
            }
            count += 1
        }
        return count
    }

    /// Hands the held batch to the loop if it has messages. Producer counters are published
    /// first, so a scrape that sees an event counted also sees its stamp.
    private mutating func sendBatch() {
        guard batch?.isEmpty == false, let filled = batch.take() else { return }
        ops.publish(producers)
        handoff.send(filled)
    }
}
