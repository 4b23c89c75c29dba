import Foundation
public import ServiceLifecycle

/// Runs an ``IngestLoop`` on its own thread as a service of a `ServiceGroup`, which owns the
/// signals: SIGTERM or SIGINT trigger graceful shutdown, which asks the loop to stop; the service
/// returns when the loop has drained and closed its sockets.
public struct SegdService: Service {
    let loop: IngestLoop
    let onReady: @Sendable (BoundEndpoints) -> Void

    public init(loop: IngestLoop, onReady: @escaping @Sendable (BoundEndpoints) -> Void) {
        self.loop = loop
        self.onReady = onReady
    }

    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            _ = try await LoopThread.run(loop, onReady: onReady)
        } onCancelOrGracefulShutdown: {
            loop.stop()
        }
    }
}

/// Starts an ``IngestLoop`` on a dedicated thread (its poll blocks, so it must not occupy a
/// concurrency-pool thread) and resumes with its summary when it returns.
public enum LoopThread {
    public static func run(_ loop: IngestLoop, onReady: @escaping @Sendable (BoundEndpoints) -> Void) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            NamedThread.start("segd-ingest") {
                do {
                    continuation.resume(returning: try loop.run(ready: onReady))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
