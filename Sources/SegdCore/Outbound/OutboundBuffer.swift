/// Outbound messages produced by one batch of work, `[topic, json]` each, packed into one byte
/// buffer so producing a message does not allocate. The engine appends; the transport (PUB socket,
/// file writer) drains with ``forEach(_:)`` and then calls ``removeAll()``.
public struct OutboundBuffer: Sendable {
    private var bytes: [UInt8] = []
    /// Per message: where its topic starts, where its JSON starts, and where it ends.
    private var bounds: [(topic: Int, json: Int, end: Int)] = []

    public init() {
        bytes.reserveCapacity(64 * 1024)
    }

    public var count: Int { bounds.count }
    public var isEmpty: Bool { bounds.isEmpty }

    /// Appends one message.
    public mutating func append(topic: [UInt8], json: UnsafeRawBufferPointer) {
        let topicStart = bytes.count
        bytes.append(contentsOf: topic)
        let jsonStart = bytes.count
        bytes.append(contentsOf: json)
        bounds.append((topicStart, jsonStart, bytes.count))
    }

    /// Calls `body` with each message's topic and JSON, in order.
    public func forEach(_ body: (_ topic: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            for bound in bounds {
                try body(UnsafeRawBufferPointer(rebasing: all[bound.topic..<bound.json]),
                         UnsafeRawBufferPointer(rebasing: all[bound.json..<bound.end]))
            }
        }
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
    }
}
