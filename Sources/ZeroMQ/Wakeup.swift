import CZeroMQ
import Glibc

/// Wakes a poll loop from another thread: a Linux eventfd that the loop polls next to its sockets.
///
/// Owns the eventfd and closes it at deinit. Any thread may `signal()`; the loop that polls `fileDescriptor`
/// calls `drain()` after it fires. `Sendable` without reservation: the only stored state is the immutable
/// descriptor, the kernel makes each eventfd read and write atomic, and deinit closes the descriptor only after
/// the last reference, so no other thread can still be using it.
public final class Wakeup: Sendable {
    /// The eventfd to register with `ZMQPoller.register(fileDescriptor:)`; readable while a signal is pending.
    public let fileDescriptor: CInt

    /// Creates the eventfd, non-blocking and closed on exec.
    public init() throws(ZMQError) {
        let descriptor = eventfd(0, CInt(EFD_NONBLOCK | EFD_CLOEXEC))
        guard descriptor >= 0 else {
            throw ZMQError(errnoCode: errno, function: "eventfd")
        }
        fileDescriptor = descriptor
    }

    deinit {
        close(fileDescriptor)
    }

    /// Makes `fileDescriptor` readable until the next `drain()`. Signals before a drain merge into one.
    public func signal() {
        var one: UInt64 = 1
        while write(fileDescriptor, &one, MemoryLayout<UInt64>.size) == -1 {
            let code = errno
            // EAGAIN means the counter is full, so a wakeup is pending already.
            if code == EAGAIN { return }
            precondition(code == EINTR, "write to eventfd failed: \(String(cString: strerror(code)))")
        }
    }

    /// Resets the eventfd after it fired, so the next poll waits again. Returns whether a signal was pending.
    @discardableResult
    public func drain() -> Bool {
        var count: UInt64 = 0
        while read(fileDescriptor, &count, MemoryLayout<UInt64>.size) == -1 {
            let code = errno
            if code == EAGAIN { return false }
            precondition(code == EINTR, "read from eventfd failed: \(String(cString: strerror(code)))")
        }
        return true
    }
}
