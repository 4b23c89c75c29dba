import SegdCore
import ZeroMQ

/// The daemon's inbound sockets, made, bound, polled and closed by the ``Receiver`` thread: one
/// SUB for published events (bound and/or connected, subscribed to the configured topics) and one
/// PULL for producers that must not lose. Either is left out when no endpoint names it.
struct InboundSockets {
    /// Each inbound socket refuses (by disconnecting the peer) messages above this many bytes;
    /// smaller oversized messages are received and dead-lettered with their reason.
    static let transportLimitMultiplier = 16

    let sockets: [ZMQSocket]
    /// The endpoints bound or connected, wildcard ports resolved.
    let sub: [String]
    let pull: [String]

    init(_ ingest: SegdConfiguration.Ingest, context: ZMQContext) throws {
        var sockets: [ZMQSocket] = []
        var sub: [String] = []
        var pull: [String] = []
        let transportLimit = Int64(ingest.maxMessageBytes) * Int64(Self.transportLimitMultiplier)
        do {
            if !ingest.subBind.isEmpty || !ingest.subConnect.isEmpty {
                let socket = try context.makeSocket(.sub)
                sockets.append(socket)
                try socket.setReceiveHighWaterMark(Int32(ingest.receiveHighWaterMark))
                try socket.setMaxMessageSize(transportLimit)
                try socket.setLinger(0)
                for topic in ingest.topics { try socket.subscribe(topic) }
                for endpoint in ingest.subBind { sub.append(try socket.bind(endpoint)) }
                for endpoint in ingest.subConnect {
                    try socket.connect(endpoint)
                    sub.append(endpoint)
                }
            }
            if !ingest.pullBind.isEmpty {
                let socket = try context.makeSocket(.pull)
                sockets.append(socket)
                try socket.setReceiveHighWaterMark(Int32(ingest.receiveHighWaterMark))
                try socket.setMaxMessageSize(transportLimit)
                try socket.setLinger(0)
                for endpoint in ingest.pullBind { pull.append(try socket.bind(endpoint)) }
            }
        } catch {
            for socket in sockets { socket.close() }
            throw error
        }
        self.sockets = sockets
        self.sub = sub
        self.pull = pull
    }

    func close() {
        for socket in sockets { socket.close() }
    }
}

/// The outbound socket, on the loop thread: an XPUB for alerts (a PUB to its subscribers;
/// ZMQ_XPUB_NODROP so a full subscriber queue is seen, see ``OutboundPublisher``).
enum PublishSocket {
    /// Makes and binds the socket; returns it with the endpoints bound, wildcard ports resolved.
    static func make(_ publish: SegdConfiguration.Publish, context: ZMQContext) throws -> (socket: ZMQSocket, endpoints: [String]) {
        let socket = try context.makeSocket(.xpub)
        do {
            try socket.setSendHighWaterMark(Int32(publish.sendHighWaterMark))
            try socket.setXPubNoDrop(true)
            // Bounded so a stop never hangs on a subscriber that went away.
            try socket.setLinger(1_000)
            return (socket, try publish.bind.map { endpoint in try socket.bind(endpoint) })
        } catch {
            socket.close()
            throw error
        }
    }
}
