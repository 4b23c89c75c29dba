import Glibc

/// Runs a system call that returns -1 on failure, in the manner of swift-nio's `syscall`: `errno` is read right
/// after the call, an interrupted call is retried, and any other failure becomes a `DurabilityError` naming
/// the call, the file and, for reads and writes, the offset.
@inline(__always)
@discardableResult
func systemCall<Result: SignedInteger>(
    _ name: String,
    path: String,
    offset: Int? = nil,
    _ body: () -> Result
) throws(DurabilityError) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code != EINTR { throw DurabilityError(.systemCall(name, errno: code), path: path, offset: offset) }
    }
}
