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
