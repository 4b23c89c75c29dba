import Testing
import ZeroMQ

@Suite("PUB/SUB and XPUB")
struct PubSubTests {
    @Test func subscriberReceivesOnlyMessagesWithItsPrefix() throws {
        let context = try ZMQContext()
        let publisher = try context.makeSocket(.pub)
        let endpoint = try publisher.bind("tcp://127.0.0.1:*")
        let subscriber = try context.makeSocket(.sub)
        try subscriber.subscribe("clicks")
        try subscriber.connect(endpoint)

        // A PUB drops messages for subscriptions it has not heard of yet, so publish until the first one arrives.
        var first: [[UInt8]]?
        let deadline = ContinuousClock.now + patience
        while first == nil, ContinuousClock.now < deadline {
            try publisher.send("orders.eu", "{}")
            try publisher.send("clicks.eu", "{\"n\":1}")
            if try waitUntilReadable(subscriber, timeout: .milliseconds(20)) {
                first = try subscriber.receiveMultipart()
            }
        }
        #expect(first == [bytes("clicks.eu"), bytes("{\"n\":1}")])

        // On one connection an order sent before the last click would arrive before it, if it were not filtered.
        try publisher.send("orders", "filtered")
        try publisher.send("clicks", "last")
        var topics: [[UInt8]] = []
        var sawLast = false
        while !sawLast, try waitUntilReadable(subscriber), let message = try subscriber.receiveMultipart() {
            topics.append(message[0])
            sawLast = message == [bytes("clicks"), bytes("last")]
        }
        #expect(sawLast)
        #expect(topics.allSatisfy { $0.starts(with: bytes("clicks")) })
    }

    @Test func xpubSeesSubscriptionsComeAndGo() throws {
        let context = try ZMQContext()
        let publisher = try context.makeSocket(.xpub)
        try publisher.setXPubVerbose(true)
        try publisher.bind("inproc://xpub")
        let subscriber = try context.makeSocket(.sub)
        try subscriber.connect("inproc://xpub")

        try subscriber.subscribe(bytes("orders"))
        #expect(try waitUntilReadable(publisher))
        #expect(try publisher.receiveMultipart() == [[1] + bytes("orders")])

        try subscriber.unsubscribe("orders")
        #expect(try waitUntilReadable(publisher))
        #expect(try publisher.receiveMultipart() == [[0] + bytes("orders")])
    }
}

/// ZMQ_XPUB_NODROP, as segd's outbound socket relies on it (inproc, so the queues are exactly libzmq's pipes).
@Suite("XPUB with ZMQ_XPUB_NODROP")
struct XPubNoDropTests {
    /// An XPUB with a small send high-water mark and NODROP on, bound to `endpoint`.
    private static func publisher(_ context: ZMQContext, _ endpoint: String) throws -> ZMQSocket {
        let publisher = try context.makeSocket(.xpub)
        try publisher.setSendHighWaterMark(2)
        try publisher.setXPubVerbose(true)
        try publisher.setXPubNoDrop(true)
        try publisher.bind(endpoint)
        return publisher
    }

    /// A SUB on `endpoint` subscribed to "a", once the publisher has seen the subscription.
    private static func subscriber(_ context: ZMQContext, _ endpoint: String, to publisher: ZMQSocket) throws -> ZMQSocket {
        let subscriber = try context.makeSocket(.sub)
        try subscriber.setReceiveHighWaterMark(2)
        try subscriber.connect(endpoint)
        try subscriber.subscribe("a")
        #expect(try waitUntilReadable(publisher))
        #expect(try publisher.receiveMultipart() == [[1] + bytes("a")])
        return subscriber
    }

    @Test func aFullSubscriberMakesTheSendFailInsteadOfDroppingSilently() throws {
        let context = try ZMQContext()
        let publisher = try Self.publisher(context, "inproc://nodrop-one")
        let subscriber = try Self.subscriber(context, "inproc://nodrop-one", to: publisher)

        var accepted = 0
        while accepted < 100, try publisher.send("a", "\(accepted)", dontWait: true) {
            accepted += 1
        }
        #expect(accepted >= 2 && accepted < 100, "refused at the high-water mark, after \(accepted)")
        // Nothing accepted was dropped: the subscriber gets exactly those, in order.
        for number in 0..<accepted {
            #expect(try subscriber.receiveMultipart(dontWait: true) == [bytes("a"), bytes("\(number)")])
        }
        #expect(try subscriber.receiveMultipart(dontWait: true) == nil)
        // Once it has read them (and the publisher has processed that news), sends go through again.
        _ = try publisher.events
        #expect(try publisher.send("a", "again", dontWait: true))
        #expect(try subscriber.receiveMultipart(dontWait: true) == [bytes("a"), bytes("again")])
    }

    @Test func oneFullSubscriberRefusesTheMessageForAllUntilItIsSentLossy() throws {
        let context = try ZMQContext()
        let publisher = try Self.publisher(context, "inproc://nodrop-two")
        let fast = try Self.subscriber(context, "inproc://nodrop-two", to: publisher)
        let stuck = try Self.subscriber(context, "inproc://nodrop-two", to: publisher)

        var accepted = 0
        while accepted < 100, try publisher.send("a", "\(accepted)", dontWait: true) {
            #expect(try fast.receiveMultipart(dontWait: true) == [bytes("a"), bytes("\(accepted)")])
            accepted += 1
        }
        #expect(accepted >= 2 && accepted < 100)
        // The fast subscriber has room, yet the refused message reached nobody, and stays refused.
        #expect(try fast.receiveMultipart(dontWait: true) == nil)
        _ = try publisher.events
        #expect(try !publisher.send("a", "refused", dontWait: true))
        #expect(try fast.receiveMultipart(dontWait: true) == nil)

        // With NODROP off the same send behaves as a PUB's: it reaches the fast subscriber and is dropped for the
        // stuck one, whose pipe libzmq then stops matching until it has read about half its queue ...
        try publisher.setXPubNoDrop(false)
        #expect(try publisher.send("a", "lossy", dontWait: true))
        try publisher.setXPubNoDrop(true)
        #expect(try fast.receiveMultipart(dontWait: true) == [bytes("a"), bytes("lossy")])
        // ... so with NODROP back on, later messages pass the check and the stuck subscriber misses them unseen.
        #expect(try publisher.send("a", "unseen", dontWait: true))
        #expect(try fast.receiveMultipart(dontWait: true) == [bytes("a"), bytes("unseen")])
        for number in 0..<accepted {
            #expect(try stuck.receiveMultipart(dontWait: true) == [bytes("a"), bytes("\(number)")])
        }
        #expect(try stuck.receiveMultipart(dontWait: true) == nil)
    }
}
