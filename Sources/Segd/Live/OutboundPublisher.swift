import Logging
import ZeroMQ

/// The outbound socket: an XPUB with ZMQ_XPUB_NODROP, so segd sees when a subscriber's queue is
/// full (a PUB drops without a word), while every subscriber still gets exactly what a PUB would
/// give it.
///
/// With NODROP, libzmq refuses a message (EAGAIN) when any subscriber it matches is at its
/// high-water mark, and then none of them gets it. So a message still refused once libzmq has
/// caught up with what subscribers have read is counted in
/// `segd_outbound_dropped_total{topic_family}` and sent again at once with NODROP off: libzmq
/// then does what a PUB does, delivering to every matching subscriber with room and dropping for
/// the full ones. The full subscriber's pipe goes inactive at that write, and libzmq does not
/// match it again until the subscriber has read about half its queue; the messages it misses
/// meanwhile pass the NODROP check and cannot be counted. The counter therefore counts each
/// overflow once, at the message that found a queue full: a lower bound on what subscribers lost,
/// each of whom sees its own losses exactly as gaps in `seq`.
///
/// An XPUB also hands up subscriptions (ZMQ_XPUB_VERBOSE off: the first subscription to a topic
/// and the last unsubscription from it); ``drainSubscriptions(logger:)`` reads them so they do not
/// pile up inside the socket. Owned by the loop thread, like its socket.
final class OutboundPublisher {
    let socket: ZMQSocket
    private let metrics: SegdMetrics

    init(socket: ZMQSocket, metrics: SegdMetrics) {
        self.socket = socket
        self.metrics = metrics
    }

    /// Sends `[topic, json]` to every subscriber whose queue has room, without blocking; counts
    /// the message if some subscriber's queue was full.
    func send(_ topic: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer) throws(ZMQError) {
        if try socket.send(topic, json, dontWait: true) { return }
        // A subscriber's reads reach the publisher as commands, which libzmq processes during a
        // send only about once a millisecond: its view of a fast subscriber's queue can be stale.
        // Reading ZMQ_EVENTS processes them now; only a queue still full is a drop.
        _ = try socket.events
        if try socket.send(topic, json, dontWait: true) { return }
        // Rare (once per overflow), so the labelled lookup may take its lock here.
        metrics.outboundDropped(SegdMetrics.TopicFamily(topic: String(decoding: topic, as: UTF8.self))).add(1)
        try socket.setXPubNoDrop(false)
        // Lossy, as a PUB: never refused.
        try socket.send(topic, json, dontWait: true)
        try socket.setXPubNoDrop(true)
    }

    /// Reads every subscription message waiting in the socket and logs it at debug level.
    func drainSubscriptions(logger: Logger) throws(ZMQError) {
        while let message = try socket.receiveMultipart(dontWait: true) {
            guard let frame = message.first, let kind = frame.first else { continue }
            logger.debug(kind == 1 ? "subscribed" : "unsubscribed", metadata: [
                "topic": "\(String(decoding: frame.dropFirst(), as: UTF8.self))",
            ])
        }
    }
}
