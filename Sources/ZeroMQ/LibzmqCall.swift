import CZeroMQ

// The wrappers every libzmq call goes through, in the manner of swift-nio's `syscall`: the error number is read
// right after the call returns, interrupted calls are retried, misuse of our own handles stops the process, and
// everything else becomes a `ZMQError` carrying the number and the call's name.

/// Runs a libzmq call that returns -1 on failure and retries it while it is interrupted by a signal.
///
/// `EAGAIN` is thrown here: use `callAllowingWouldBlock` where a full or empty queue is an expected answer.
@inline(__always)
@discardableResult
func call(
    _ function: StaticString,
    endpoint: String? = nil,
    option: StaticString? = nil,
    _ body: () -> CInt
) throws(ZMQError) -> CInt {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        throw failure(code, function, endpoint: endpoint, option: option)
    }
}

/// Runs a libzmq send or receive and returns `nil` when libzmq answers `EAGAIN`: nothing queued to receive, the
/// high-water mark reached on send, or the socket's send or receive timeout elapsed.
@inline(__always)
func callAllowingWouldBlock(_ function: StaticString, _ body: () -> CInt) throws(ZMQError) -> CInt? {
    while true {
        let result = body()
        guard result == -1 else { return result }
        let code = zmq_errno()
        switch code {
        case EINTR: continue
        case EAGAIN: return nil
        default: throw failure(code, function)
        }
    }
}

/// The error for a failed call; a handle this module no longer owns is a bug in the module, not a condition to report.
func failure(
    _ code: CInt,
    _ function: StaticString,
    endpoint: String? = nil,
    option: StaticString? = nil
) -> ZMQError {
    let error = ZMQError(errnoCode: code, function: function, endpoint: endpoint, option: option)
    precondition(code != ENOTSOCK && code != EFAULT, "libzmq was handed an invalid handle: \(error)")
    return error
}
