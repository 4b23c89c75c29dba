import SegdCore
import ZeroMQ

/// `segd send`: pushes events to a daemon's PULL endpoint. PUSH (not PUB) because a one-shot
/// sender would lose a published message before its connection is up; PUSH queues it until the
/// peer is there and closing waits (up to the timeout) until it is delivered.
public struct EventSender {
    let context: ZMQContext
    let socket: ZMQSocket
    public let endpoint: String

    public init(endpoint: String, timeoutMilliseconds: Int32 = 5_000) throws {
        context = try ZMQContext(defaultLinger: timeoutMilliseconds)
        socket = try context.makeSocket(.push)
        try socket.setSendTimeout(timeoutMilliseconds)
        try socket.setImmediate(false)
        try socket.connect(endpoint)
        self.endpoint = endpoint
    }

    /// Sends one `[topic, json]` message; throws when it could not be queued within the timeout.
    public func send(topic: UnsafeRawBufferPointer, json: UnsafeRawBufferPointer) throws {
        guard try socket.send(topic, json) else { throw SenderError.timedOut(endpoint) }
    }

    public func send(topic: String, json: String) throws {
        guard try socket.send(topic, json) else { throw SenderError.timedOut(endpoint) }
    }

    /// Sends every line of an event file (`topic<TAB>json`), in order, and returns how many.
    public func sendFile(_ path: String) throws -> Int {
        var count = 0
        try MessageFileReader(path: path).forEachMessage { topic, payload, frames in
            if frames == 2 {
                try send(topic: topic, json: payload)
            } else {
                guard try socket.send(topic) else { throw SenderError.timedOut(endpoint) }
            }
            count += 1
        }
        return count
    }

    /// Closes the socket, waiting up to the timeout for queued messages to be delivered.
    public func close() {
        socket.close()
        context.terminate()
    }
}

public enum SenderError: Error, CustomStringConvertible {
    case timedOut(String)

    public var description: String {
        switch self {
        case .timedOut(let endpoint): "no daemon took the message at \(endpoint) in time (is segd running, with pull_bind there?)"
        }
    }
}
