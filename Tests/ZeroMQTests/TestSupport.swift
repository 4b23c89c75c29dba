import Foundation
import ZeroMQ

/// How long a test waits for something that should happen before it fails instead of hanging.
let patience: Duration = .seconds(5)

/// Polls `socket` until it has a whole message to receive or `timeout` passes.
func waitUntilReadable(_ socket: ZMQSocket, timeout: Duration = patience) throws -> Bool {
    let poller = ZMQPoller()
    let item = poller.register(socket)
    try poller.poll(timeout: timeout)
    return poller.isReadable(item)
}

/// Runs `body` in a fresh directory that is removed afterwards, for ipc endpoints.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zmq-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory.path)
}

/// Runs `body` on a thread of its own, so a blocking libzmq call never holds a thread of the cooperative pool.
func onNewThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

extension Array where Element == UInt8 {
    /// `count` bytes in a pattern that a shifted or truncated copy would not match.
    static func pattern(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }
}

/// The UTF-8 bytes of `string`, for comparing received frames.
func bytes(_ string: String) -> [UInt8] {
    Array(string.utf8)
}
