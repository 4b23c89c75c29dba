import ZeroMQ

/// `segd tail`: subscribes to a daemon's PUB endpoint and hands each outbound message to a
/// closure, until a count is reached, a stop is requested or the optional idle timeout passes.
public struct AlertTail {
    let context: ZMQContext
    let socket: ZMQSocket

    public init(endpoint: String, prefixes: [String]) throws {
        context = try ZMQContext(defaultLinger: 0)
        socket = try context.makeSocket(.sub)
        for prefix in prefixes.isEmpty ? [""] : prefixes { try socket.subscribe(prefix) }
        try socket.connect(endpoint)
    }

    /// Receives until `body` returns false, `count` messages arrived, or nothing arrived for
    /// `idleTimeoutMilliseconds` (nil: wait forever). Returns how many messages were received.
    @discardableResult
    public func run(count: Int?, idleTimeoutMilliseconds: Int?, _ body: (_ topic: [UInt8], _ json: [UInt8]) -> Bool) throws -> Int {
        let poller = ZMQPoller()
        let item = poller.register(socket)
        var received = 0
        while count.map({ received < $0 }) ?? true {
            let ready = try poller.poll(timeout: idleTimeoutMilliseconds.map { .milliseconds($0) })
            guard ready > 0, poller.isReadable(item) else { break }
            while let frames = try socket.receiveMultipart(dontWait: true) {
                received += 1
                let keepGoing = body(frames.first ?? [], frames.count > 1 ? frames[1] : [])
                if !keepGoing || count.map({ received >= $0 }) == true { return received }
            }
        }
        return received
    }

    public func close() {
        socket.close()
        context.terminate()
    }
}
