import CZeroMQ

/// A libzmq (or system) call that failed: which call, the error number read right after it, and what it acted on.
///
/// A value; safe to hand to any thread. "Would block" (`EAGAIN`) is never a `ZMQError`: the calls that can meet it
/// return `false` or `nil` instead, because a full or empty queue is a normal state, not a failure.
public struct ZMQError: Error, Sendable, CustomStringConvertible {
    /// The `errno` value, read with `zmq_errno()` (or `errno` for system calls) immediately after the failing call.
    public let errnoCode: CInt
    /// The C function that failed, such as `zmq_bind`.
    public let function: String
    /// The endpoint the call was given, for bind, connect, unbind and disconnect.
    public let endpoint: String?
    /// The socket option the call was writing or reading, such as `ZMQ_SNDHWM`.
    public let option: String?

    init(errnoCode: CInt, function: StaticString, endpoint: String? = nil, option: StaticString? = nil) {
        self.errnoCode = errnoCode
        self.function = function.description
        self.endpoint = endpoint
        self.option = option?.description
    }

    /// Whether the context was shut down or terminated: the loop that owns the socket should close it and return.
    public var isContextTerminated: Bool {
        errnoCode == ETERM
    }

    /// libzmq's text for the error number (`zmq_strerror`, which also knows the system's numbers).
    public var message: String {
        String(cString: zmq_strerror(errnoCode))
    }

    public var description: String {
        let subject = [endpoint, option].compactMap { $0 }.joined(separator: ", ")
        let call = subject.isEmpty ? function : "\(function)(\(subject))"
        return "\(call) failed: \(message) (errno \(errnoCode))"
    }
}
