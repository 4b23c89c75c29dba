import Foundation
import Logging
import Segd
import ZeroMQ

/// The shipped default configuration, deploy/segd.toml of this repository.
let defaultConfigPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/segd.toml").path

/// A fresh temporary directory, removed when the value is deinitialised.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("segd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// An in-process daemon loop on ipc endpoints in a temporary directory, with a PUSH client for
/// events and a SUB client for everything it publishes: real sockets, nothing mocked.
final class LiveDaemon {
    let directory: TemporaryDirectory
    let loop: IngestLoop
    let endpoints: BoundEndpoints
    let summary: Task<String, any Error>
    let context: ZMQContext
    let pusher: ZMQSocket
    let subscriber: ZMQSocket

    init(segments: String, ingest: String = "") async throws {
        directory = try TemporaryDirectory()
        let text = """
            [ingest]
            sub_bind = ["ipc://\(directory.path("sub"))"]
            pull_bind = ["ipc://\(directory.path("pull"))"]
            \(ingest)
            [publish]
            bind = ["ipc://\(directory.path("pub"))"]
            [engine]
            idle_advance = "1h"
            [durability]
            directory = "\(directory.path("state"))"
            \(segments)
            """
        let configuration = try SegdConfiguration.parse(text, file: "live-test.toml")
        let loop = try IngestLoop(configuration: configuration, logger: Logger(label: "segd-test"))
        let ready = AsyncStream<BoundEndpoints>.makeStream()
        summary = Task {
            try await LoopThread.run(loop) { endpoints in
                ready.continuation.yield(endpoints)
                ready.continuation.finish()
            }
        }
        guard let endpoints = await ready.stream.first(where: { _ in true }) else {
            _ = try await summary.value
            throw CancellationError()
        }
        self.loop = loop
        self.endpoints = endpoints
        context = try ZMQContext(defaultLinger: 0)
        pusher = try context.makeSocket(.push)
        try pusher.connect(endpoints.pull[0])
        subscriber = try context.makeSocket(.sub)
        try subscriber.subscribe("")
        try subscriber.connect(endpoints.publish[0])
        try handshake()
    }

    /// A PUB/SUB subscription reaches the publisher asynchronously: push a message the daemon
    /// dead-letters until its dead letter arrives, then discard everything received so far.
    private func handshake() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            try pusher.send("handshake", "{}")
            if try receive(timeoutMilliseconds: 50) != nil {
                while try receive(timeoutMilliseconds: 50) != nil {}
                return
            }
        }
        throw LiveTestError.timedOut("no dead letter for the handshake")
    }

    /// The next outbound message as (topic, JSON object, raw JSON), or nil after the timeout.
    func receive(timeoutMilliseconds: Int = 5_000) throws -> (topic: String, object: [String: Any], json: String)? {
        let poller = ZMQPoller()
        let item = poller.register(subscriber)
        guard try poller.poll(timeout: .milliseconds(timeoutMilliseconds)) > 0, poller.isReadable(item),
              let frames = try subscriber.receiveMultipart(dontWait: true), frames.count == 2 else { return nil }
        let object = try JSONSerialization.jsonObject(with: Data(frames[1])) as? [String: Any] ?? [:]
        return (String(decoding: frames[0], as: UTF8.self), object, String(decoding: frames[1], as: UTF8.self))
    }

    func send(_ frames: [[UInt8]]) throws {
        try pusher.send(frames)
    }

    func send(_ topic: String, _ json: String) throws {
        try pusher.send(topic, json)
    }

    /// Stops the loop and returns its final summary.
    func stop() async throws -> String {
        loop.stop()
        let result = try await summary.value
        pusher.close()
        subscriber.close()
        context.terminate()
        return result
    }
}

enum LiveTestError: Error {
    case timedOut(String)
}
