import Foundation
public import Logging
import SegdCore
import Synchronization
import ZeroMQ

/// `segd demo`: the daemon, an event generator and a subscriber in one process, on ephemeral
/// loopback ports, so anyone can watch segment alerts flow within seconds and then read a summary.
/// It runs the real ``IngestLoop`` over real sockets; only the endpoints differ from `segd run`.
public struct Demo {
    public struct Options: Sendable {
        public var durationMilliseconds: Int64 = 8_000
        public var eventsPerSecond = 2_000
        public var customers = 300
        public var seed: UInt64 = 7

        public init() {}
    }

    /// Runs the demo, calling `print` with each line to show; returns the engine summary JSON.
    public static func run(configuration base: SegdConfiguration, options: Options, logger: Logger, print: @escaping @Sendable (String) -> Void) async throws -> String {
        var configuration = base
        configuration.ingest.subBind = []
        configuration.ingest.subConnect = []
        configuration.ingest.pullBind = ["tcp://127.0.0.1:*"]
        configuration.publish.bind = ["tcp://127.0.0.1:*"]
        // Generated customers are not worth keeping, and must not mix with `make run`'s saved state.
        configuration.durability.enabled = false
        let loop = try IngestLoop(configuration: configuration, logger: logger)
        let ready = AsyncStream<BoundEndpoints>.makeStream()
        async let summary = LoopThread.run(loop) { endpoints in
            ready.continuation.yield(endpoints)
            ready.continuation.finish()
        }
        do {
            guard let endpoints = await ready.stream.first(where: { _ in true }) else { return try await summary }
            print("segd demo: daemon listening (PULL \(endpoints.pull[0]), XPUB \(endpoints.publish[0])); \(options.eventsPerSecond) events/s from \(options.customers) shoppers for \(options.durationMilliseconds / 1000) s")
            let subscriber = DemoSubscriber(endpoint: endpoints.publish[0], print: print)
            let subscriberThread = subscriber.start()
            subscriber.waitUntilConnected()
            let sent = try DemoProducer.run(endpoint: endpoints.pull[0], options: options)
            // Everything sent has been taken off the socket once `processed` reaches it.
            let deadline = WallClock.milliseconds() + 10_000
            while loop.processed < sent, WallClock.milliseconds() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            loop.stop()
            let result = try await summary
            subscriber.stop()
            await subscriberThread.value
            print("segd demo: sent \(sent) events; the subscriber received \(subscriber.received) alerts")
            return result
        } catch {
            loop.stop()
            _ = try? await summary
            throw error
        }
    }
}

/// Sends generated events at a steady rate with the current time as their event time.
enum DemoProducer {
    static func run(endpoint: String, options: Demo.Options) throws -> Int {
        let sender = try EventSender(endpoint: endpoint)
        defer { sender.close() }
        var generator = EventGenerator(options: .init(seed: options.seed, customers: options.customers, skew: 0.8))
        let start = WallClock.milliseconds()
        let total = Int(options.durationMilliseconds) * options.eventsPerSecond / 1_000
        for index in 0..<total {
            // Pace to the wall clock: event n is due at start + n / rate.
            let due = start + Int64(index) * 1_000 / Int64(options.eventsPerSecond)
            let wait = due - WallClock.milliseconds()
            if wait > 0 { usleep(UInt32(wait) * 1_000) }
            let (kind, json) = generator.next(at: max(due, WallClock.milliseconds()))
            try json.withUnsafeBytes { payload in
                var topic = kind.topic
                try topic.withUTF8 { try sender.send(topic: UnsafeRawBufferPointer($0), json: payload) }
            }
        }
        return total
    }
}

/// A real subscriber on the daemon's PUB socket that prints each segment alert as one line.
final class DemoSubscriber: Sendable {
    let endpoint: String
    let print: @Sendable (String) -> Void
    private let stopRequested = Atomic<Bool>(false)
    private let connected = Atomic<Bool>(false)
    private let receivedCount = Atomic<Int>(0)

    init(endpoint: String, print: @escaping @Sendable (String) -> Void) {
        self.endpoint = endpoint
        self.print = print
    }

    var received: Int { receivedCount.load(ordering: .acquiring) }

    func start() -> Task<Void, Never> {
        Task.detached { [self] in
            do {
                let tail = try AlertTail(endpoint: endpoint, prefixes: ["segment.", "deadletter"])
                defer { tail.close() }
                connected.store(true, ordering: .releasing)
                while !stopRequested.load(ordering: .acquiring) {
                    try tail.run(count: nil, idleTimeoutMilliseconds: 100) { topic, json in
                        receivedCount.add(1, ordering: .releasing)
                        print(AlertLine.format(topic: topic, json: json))
                        return !stopRequested.load(ordering: .acquiring)
                    }
                }
            } catch {
                print("segd demo: subscriber failed: \(error)")
                connected.store(true, ordering: .releasing)
            }
        }
    }

    /// Waits until the SUB socket is connected, then a little longer: a ZeroMQ subscription reaches
    /// the publisher asynchronously, and alerts published before it arrives are not delivered.
    /// This is a demo, not a test; the summary line shows whether anything was missed.
    func waitUntilConnected() {
        while !connected.load(ordering: .acquiring) { usleep(1_000) }
        usleep(300_000)
    }

    func stop() {
        stopRequested.store(true, ordering: .releasing)
    }
}

/// One outbound message as a short human-readable line: `+ frequent_buyer  c-12  orders_90d=3`.
enum AlertLine {
    static func format(topic: [UInt8], json: [UInt8]) -> String {
        let topicText = String(decoding: topic, as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            return "\(topicText)\t\(String(decoding: json, as: UTF8.self))"
        }
        if topicText == "deadletter" {
            return "! deadletter  \(object["reason"] ?? "")  \(object["detail"] ?? "")"
        }
        let sign = (object["type"] as? String) == "enter" ? "+" : "-"
        let segment = (object["segment"] as? String ?? "").padding(toLength: 16, withPad: " ", startingAt: 0)
        let customer = (object["customer_id"] as? String ?? "").padding(toLength: 8, withPad: " ", startingAt: 0)
        let features = (object["features"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(sign) \(segment) \(customer) seq \(object["seq"] ?? "")  \(object["cause"] ?? "")  \(features)"
    }
}
