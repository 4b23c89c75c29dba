import Synchronization
import ZeroMQ

/// Where the receiver thread hands its batches to the loop thread, in order, and gets them back
/// emptied: a fixed set of ``depth`` batches circulates, so when the loop falls behind the
/// receiver stops taking messages and libzmq's high-water marks apply as they would to one thread.
///
/// Each side sleeps in its own poll: the receiver signals `loopWakeup` when the queue of ready
/// batches stops being empty or when it finishes, and the loop signals `receiverWakeup` when it
/// gives a batch back to a receiver waiting for one, or asks it to stop.
final class BatchHandoff: Sendable {
    /// Batches in circulation: one being filled, one being applied, the rest queued between.
    static let depth = 4

    enum Stop: Sendable {
        /// Take what is queued in the sockets (without waiting for more), then finish.
        case drain
        /// Finish at once: the loop is failing and will apply nothing more.
        case abandon
    }

    private struct State {
        var ready: [InboundBatch] = []
        var spare: [InboundBatch] = Array(repeating: InboundBatch(), count: BatchHandoff.depth)
        var receiverWaitsForSpare = false
        var stop: Stop?
        /// Set once the receiver has closed its sockets: nil while it runs, then how it ended.
        var finished: Result<Void, ZMQError>?
    }

    private let state = Mutex(State())
    let loopWakeup: Wakeup
    let receiverWakeup: Wakeup

    init(loopWakeup: Wakeup) throws(ZMQError) {
        self.loopWakeup = loopWakeup
        receiverWakeup = try Wakeup()
    }

    // MARK: The receiver's side

    /// An empty batch to fill, or nil when all are queued or being applied (poll `receiverWakeup`
    /// and ask again).
    func takeSpare() -> InboundBatch? {
        state.withLock { state in
            guard let batch = state.spare.popLast() else {
                state.receiverWaitsForSpare = true
                return nil
            }
            return batch
        }
    }

    /// Queues a filled batch for the loop.
    func send(_ batch: consuming InboundBatch) {
        var batch = Optional(batch)
        let wasEmpty = state.withLock { state in
            state.ready.append(batch.take()!)
            return state.ready.count == 1
        }
        // The loop looks at the queue every turn, so only an empty queue can leave it asleep.
        if wasEmpty { loopWakeup.signal() }
    }

    /// How the loop asked the receiver to stop, if it has.
    var stopRequest: Stop? { state.withLock { $0.stop } }

    /// The receiver's last word: its sockets are closed.
    func receiverFinished(_ outcome: Result<Void, ZMQError>) {
        state.withLock { $0.finished = outcome }
        loopWakeup.signal()
    }

    // MARK: The loop's side

    /// The oldest queued batch, if any.
    func takeReady() -> InboundBatch? {
        state.withLock { state in state.ready.isEmpty ? nil : state.ready.removeFirst() }
    }

    var hasReady: Bool { state.withLock { !$0.ready.isEmpty } }

    /// Returns an applied batch for reuse.
    func giveBack(_ batch: consuming InboundBatch) {
        // Moved, not copied, all the way from `takeReady`: emptying a batch still shared would copy its buffers.
        var batch = Optional(batch)
        batch!.removeAll()
        let wake = state.withLock { state in
            state.spare.append(batch.take()!)
            defer { state.receiverWaitsForSpare = false }
            return state.receiverWaitsForSpare
        }
        if wake { receiverWakeup.signal() }
    }

    /// Asks the receiver to stop; the first request counts, except that an abandon overrides a drain.
    func stopReceiver(_ how: Stop) {
        state.withLock { state in
            if state.stop == nil || how == .abandon { state.stop = how }
        }
        receiverWakeup.signal()
    }

    /// Nil while the receiver runs; then whether it ended cleanly.
    var receiverOutcome: Result<Void, ZMQError>? { state.withLock { $0.finished } }
}
