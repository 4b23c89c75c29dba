import CZeroMQ

/// One libzmq socket.
///
/// Owns the socket handle and closes it in `close()` or deinit. Holds its context strongly, so the context cannot be
/// terminated from deinit while this socket is open. Not `Sendable`: libzmq sockets are not thread-safe, so a socket
/// is made, used and closed by one thread, the loop that polls it. Using a socket after `close()` is a programmer
/// error and stops the process.
public final class ZMQSocket {
    /// The pattern this socket was made for.
    public let type: ZMQSocketType
    private let context: ZMQContext
    private var handle: UnsafeMutableRawPointer?

    init(handle: UnsafeMutableRawPointer, type: ZMQSocketType, context: ZMQContext) {
        self.handle = handle
        self.type = type
        self.context = context
    }

    deinit {
        close()
    }

    /// The handle of an open socket; asking a closed socket for it is a bug in the caller.
    var openHandle: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("ZMQSocket of type \(type) used after close()") }
        return handle
    }

    /// Whether `close()` has run.
    public var isClosed: Bool {
        handle == nil
    }

    /// Closes the socket (`zmq_close`); unsent messages linger in the background for `linger` milliseconds.
    /// Closing a closed socket does nothing.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        // zmq_close fails only with ENOTSOCK, which a handle we own and have not closed cannot produce.
        let result = zmq_close(handle)
        precondition(result == 0, "zmq_close failed on a socket this object owned")
    }

    /// Binds to `endpoint` and returns the endpoint actually bound (`ZMQ_LAST_ENDPOINT`), so `tcp://127.0.0.1:*`
    /// comes back with the port the system chose. Pass the returned endpoint to `unbind`.
    @discardableResult
    public func bind(_ endpoint: String) throws(ZMQError) -> String {
        let handle = openHandle
        try call("zmq_bind", endpoint: endpoint) { zmq_bind(handle, endpoint) }
        return try lastEndpoint
    }

    /// Connects to `endpoint`. libzmq connects in the background and reconnects after failures, so this succeeds
    /// before any peer is listening; only a malformed endpoint or unsupported transport fails here.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = openHandle
        try call("zmq_connect", endpoint: endpoint) { zmq_connect(handle, endpoint) }
    }

    /// Stops listening on an endpoint returned by `bind` (a wildcard such as `tcp://127.0.0.1:*` is not accepted).
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = openHandle
        try call("zmq_unbind", endpoint: endpoint) { zmq_unbind(handle, endpoint) }
    }

    /// Drops the connection to an endpoint given to `connect`, discarding messages still queued for it.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = openHandle
        try call("zmq_disconnect", endpoint: endpoint) { zmq_disconnect(handle, endpoint) }
    }
}

@available(*, unavailable, message: "libzmq sockets are not thread-safe: keep each socket on the thread that made it")
extension ZMQSocket: Sendable {}
