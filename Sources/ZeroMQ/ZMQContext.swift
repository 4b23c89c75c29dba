import CZeroMQ
import Synchronization

/// A libzmq context: the I/O threads and the registry of the sockets made from it.
///
/// Owns the context handle and terminates it in `terminate()` or, failing that, in deinit. Every socket holds a strong
/// reference to its context, so deinit runs only after all of our sockets are closed and `zmq_ctx_term` there can
/// wait at most for their linger. To stop a loop blocked in a socket call on another thread, call `shutdown()`:
/// the loop's calls then fail with `ZMQError.isContextTerminated`, it closes its sockets, and the context can end.
///
/// Any thread may use a context. `@unchecked Sendable` is safe because libzmq's context functions are thread-safe and
/// the handle is immutable; the one hazard, calling libzmq with a handle `zmq_ctx_term` has freed, is excluded by
/// `isTerminated`: every use of the handle happens under that lock after checking it, and termination sets it first.
public final class ZMQContext: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let isTerminated = Mutex(false)

    /// The `ZMQ_LINGER` (milliseconds) every new socket starts with. libzmq's own default is to wait forever for
    /// unsent messages at termination; a bound keeps a stopping daemon from hanging on a peer that went away.
    public let defaultLinger: Int32

    /// Creates a context with `ioThreads` background I/O threads (one is enough for about a gigabyte a second).
    public init(ioThreads: Int32 = 1, defaultLinger: Int32 = 1_000) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw failure(zmq_errno(), "zmq_ctx_new")
        }
        let result = zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        if result == -1 {
            let code = zmq_errno()
            zmq_ctx_term(handle)
            throw failure(code, "zmq_ctx_set", option: "ZMQ_IO_THREADS")
        }
        self.handle = handle
        self.defaultLinger = defaultLinger
    }

    deinit {
        // No socket can be open here (each holds the context), so this waits at most for lingering messages.
        if !isTerminated.withLock({ $0 }) {
            Self.term(handle)
        }
    }

    /// Creates a socket of the given type. The socket belongs to the calling thread from now on.
    public func makeSocket(_ type: ZMQSocketType) throws(ZMQError) -> ZMQSocket {
        let socketHandle = try isTerminated.withLock { isTerminated throws(ZMQError) -> UnsafeMutableRawPointer in
            guard !isTerminated else {
                throw ZMQError(errnoCode: ETERM, function: "zmq_socket")
            }
            guard let socket = zmq_socket(handle, type.cValue) else {
                throw failure(zmq_errno(), "zmq_socket")
            }
            return socket
        }
        let socket = ZMQSocket(handle: socketHandle, type: type, context: self)
        try socket.setLinger(defaultLinger)
        return socket
    }

    /// Makes every blocking call on this context's sockets, on any thread, fail with `ETERM` from now on, and new
    /// sockets too; the sockets stay open until their owners close them. Returns at once (`zmq_ctx_shutdown`).
    public func shutdown() {
        isTerminated.withLock { isTerminated in
            guard !isTerminated else { return }
            zmq_ctx_shutdown(handle)
        }
    }

    /// Terminates the context (`zmq_ctx_term`). Like `shutdown()` it fails blocking calls on every thread with
    /// `ETERM`; then it blocks until each socket made from the context has been closed by its owning thread and
    /// its unsent messages are delivered or its linger has elapsed. Calling it again, or from another thread while
    /// it runs, returns at once.
    public func terminate() {
        let shouldTerminate = isTerminated.withLock { isTerminated in
            defer { isTerminated = true }
            return !isTerminated
        }
        if shouldTerminate {
            Self.term(handle)
        }
    }

    private static func term(_ handle: UnsafeMutableRawPointer) {
        // zmq_ctx_term fails only with EINTR (retry) or EFAULT (a handle we never had).
        while zmq_ctx_term(handle) == -1 {
            let code = zmq_errno()
            precondition(code == EINTR, "zmq_ctx_term failed: \(String(cString: zmq_strerror(code)))")
        }
    }
}
