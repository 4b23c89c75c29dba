import SegdCore
import ZeroMQ

/// The daemon's sockets, made, configured and bound on the loop thread: one SUB for published
/// events (bound and/or connected, subscribed to the configured topics), one PULL for producers
/// that must not lose, one XPUB for alerts (a PUB to its subscribers; ZMQ_XPUB_NODROP so a full
/// subscriber queue is seen, see ``OutboundPublisher``).
struct LiveSockets {
    /// Each inbound socket refuses (by disconnecting the peer) messages above this many bytes;
    /// smaller oversized messages are received and dead-lettered with their reason.
    static let transportLimitMultiplier = 16

    let inbound: [ZMQSocket]
    let publisher: ZMQSocket
    let endpoints: BoundEndpoints

    init(configuration: SegdConfiguration, context: ZMQContext) throws {
        var inbound: [ZMQSocket] = []
        var endpoints = BoundEndpoints()
        let ingest = configuration.ingest
        let transportLimit = Int64(ingest.maxMessageBytes) * Int64(Self.transportLimitMultiplier)
        do {
            if !ingest.subBind.isEmpty || !ingest.subConnect.isEmpty {
                let sub = try context.makeSocket(.sub)
                inbound.append(sub)
                try sub.setReceiveHighWaterMark(Int32(ingest.receiveHighWaterMark))
                try sub.setMaxMessageSize(transportLimit)
                try sub.setLinger(0)
                for topic in ingest.topics { try sub.subscribe(topic) }
                for endpoint in ingest.subBind { endpoints.sub.append(try sub.bind(endpoint)) }
                for endpoint in ingest.subConnect {
                    try sub.connect(endpoint)
                    endpoints.sub.append(endpoint)
                }
            }
            if !ingest.pullBind.isEmpty {
                let pull = try context.makeSocket(.pull)
                inbound.append(pull)
                try pull.setReceiveHighWaterMark(Int32(ingest.receiveHighWaterMark))
                try pull.setMaxMessageSize(transportLimit)
                try pull.setLinger(0)
                for endpoint in ingest.pullBind { endpoints.pull.append(try pull.bind(endpoint)) }
            }
            let pub = try context.makeSocket(.xpub)
            try pub.setSendHighWaterMark(Int32(configuration.publish.sendHighWaterMark))
            try pub.setXPubNoDrop(true)
            // Bounded so a stop never hangs on a subscriber that went away.
            try pub.setLinger(1_000)
            for endpoint in configuration.publish.bind { endpoints.publish.append(try pub.bind(endpoint)) }
            publisher = pub
        } catch {
            for socket in inbound { socket.close() }
            throw error
        }
        self.inbound = inbound
        self.endpoints = endpoints
    }

    func close() {
        for socket in inbound { socket.close() }
        publisher.close()
    }
}
