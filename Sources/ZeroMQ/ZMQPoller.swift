import CZeroMQ

/// A reusable poll set over sockets and raw file descriptors (`zmq_poll`).
///
/// Owns the `zmq_pollitem_t` array, built once by `register` and reused by every `poll` without allocating, and
/// holds its sockets so they outlive the set; it does not own registered descriptors. Not `Sendable`: it holds
/// sockets, so it belongs to the thread that owns them. Closing a registered socket and then polling is a
/// programmer error and stops the process.
public final class ZMQPoller {
    /// A registered socket or descriptor, for asking what `poll` found.
    public struct Item: Hashable, Sendable {
        fileprivate let index: Int
    }

    private var items: [zmq_pollitem_t] = []
    private var sockets: [ZMQSocket?] = []

    public init() {}

    /// Adds `socket` to the set, waiting for `events`.
    public func register(_ socket: ZMQSocket, for events: ZMQEvents = .readable) -> Item {
        append(zmq_pollitem_t(socket: socket.openHandle, fd: -1, events: events.rawValue, revents: 0), socket)
    }

    /// Adds a file descriptor, such as a `Wakeup`'s, to the set, waiting for `events`. The caller keeps it open
    /// for as long as it is polled.
    public func register(fileDescriptor: CInt, for events: ZMQEvents = .readable) -> Item {
        append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0), nil)
    }

    private func append(_ item: zmq_pollitem_t, _ socket: ZMQSocket?) -> Item {
        items.append(item)
        sockets.append(socket)
        return Item(index: items.count - 1)
    }

    /// Waits until at least one item is ready or `timeout` passes (`nil`: no limit), and returns how many items are
    /// ready (0 on timeout). A signal does not cut the wait short: the wait resumes for the time that is left.
    /// Fails with `isContextTerminated` once a polled socket's context is shut down.
    @discardableResult
    public func poll(timeout: Duration?) throws(ZMQError) -> Int {
        for index in sockets.indices {
            if let socket = sockets[index] {
                items[index].socket = socket.openHandle
            }
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        while true {
            let milliseconds = deadline.map { Self.milliseconds(clock.now.duration(to: $0)) } ?? -1
            let ready = zmq_poll(&items, CInt(items.count), milliseconds)
            if ready >= 0 {
                return Int(ready)
            }
            let code = zmq_errno()
            if code != EINTR {
                throw failure(code, "zmq_poll")
            }
        }
    }

    /// Whether the last `poll` found `item` readable: a socket has a whole message to receive.
    public func isReadable(_ item: Item) -> Bool {
        items[item.index].revents & Int16(ZMQ_POLLIN) != 0
    }

    /// Whether the last `poll` found `item` writable: a socket can send a message without blocking.
    public func isWritable(_ item: Item) -> Bool {
        items[item.index].revents & Int16(ZMQ_POLLOUT) != 0
    }

    /// A time left as zmq_poll's whole milliseconds, rounded up so that a short wait does not become a busy loop.
    private static func milliseconds(_ duration: Duration) -> Int {
        guard duration > .zero else { return 0 }
        // Clamped to about 68 years, far past any real timeout, so that the product below cannot overflow.
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let wholeMilliseconds = min(seconds, Int64(Int32.max)) * 1_000
        return Int(wholeMilliseconds + (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
    }
}

@available(*, unavailable, message: "a poller holds sockets, which belong to one thread")
extension ZMQPoller: Sendable {}
