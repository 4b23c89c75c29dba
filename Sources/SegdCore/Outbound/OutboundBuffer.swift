/// Outbound messages produced by one batch of work, `[topic, json]` each, packed into one byte
/// buffer so producing a message does not allocate. The engine writes each message in place
/// (``beginMessage(topic:)``, then its JSON into ``json``, then ``endMessage()``); the transport
/// (PUB socket, file writer) drains with ``forEach(_:)`` and then calls ``removeAll()``.
public struct OutboundBuffer: Sendable {
    /// Every message's topic, then its JSON, back to back. The JSON of the message begun last is
    /// written here directly, so it is never copied from a scratch writer.
    var json = JSONWriter(capacity: 64 * 1024)
    /// Per message: where its topic starts, where its JSON starts, and where it ends.
    private var bounds: [(topic: Int, json: Int, end: Int)] = []
    /// Where the message begun last starts, until ``endMessage()``.
    private var open: (topic: Int, json: Int)?

    public init() {}

    public var count: Int { bounds.count }
    public var isEmpty: Bool { bounds.isEmpty }

    /// Starts a message on `topic`; its JSON is then written into ``json``.
    mutating func beginMessage(topic: [UInt8]) {
        precondition(open == nil, "a message is already open")
        let topicStart = json.count
        json.beginText(after: topic)
        open = (topicStart, json.count)
    }

    /// Ends the message begun last.
    mutating func endMessage() {
        guard let open else { preconditionFailure("no message is open") }
        bounds.append((open.topic, open.json, json.count))
        self.open = nil
    }

    /// Calls `body` with each message's topic and JSON, in order.
    public func forEach(_ body: (_ topic: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer) throws -> Void) rethrows {
        try json.withBytes { all in
            for bound in bounds {
                try body(UnsafeRawBufferPointer(rebasing: all[bound.topic..<bound.json]),
                         UnsafeRawBufferPointer(rebasing: all[bound.json..<bound.end]))
            }
        }
    }

    public mutating func removeAll() {
        precondition(open == nil, "a message is still open")
        json.reset()
        bounds.removeAll(keepingCapacity: true)
    }
}
