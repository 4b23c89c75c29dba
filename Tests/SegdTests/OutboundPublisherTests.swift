import Logging
import Testing
import ZeroMQ
@testable import Segd

/// The outbound XPUB over inproc, where the queues are exactly libzmq's pipes: a stuck subscriber
/// is counted, and everyone else gets every message as from a PUB.
@Suite("Outbound publisher")
struct OutboundPublisherTests {
    private let context: ZMQContext
    private let socket: ZMQSocket
    private let metrics = SegdMetrics()
    private let publisher: OutboundPublisher
    private let topics = ["segment.vip.enter", "deadletter", "churn.risk", "segment.vip.exit"]

    init() throws {
        context = try ZMQContext()
        socket = try context.makeSocket(.xpub)
        try socket.setSendHighWaterMark(2)
        try socket.setXPubNoDrop(true)
        try socket.setXPubVerbose(true)  // so the test sees both subscriptions to ""
        try socket.bind("inproc://outbound")
        publisher = OutboundPublisher(socket: socket, metrics: metrics)
    }

    private func subscriber() throws -> ZMQSocket {
        let subscriber = try context.makeSocket(.sub)
        try subscriber.setReceiveHighWaterMark(2)
        try subscriber.connect("inproc://outbound")
        try subscriber.subscribe("")
        let poller = ZMQPoller()
        let item = poller.register(socket)
        try poller.poll(timeout: .seconds(5))
        try #require(poller.isReadable(item), "the subscription never reached the publisher")
        try publisher.drainSubscriptions(logger: Logger(label: "test"))
        #expect(try !socket.events.contains(.readable), "subscriptions left in the socket")
        return subscriber
    }

    private func send(_ number: Int) throws -> [UInt8] {
        let topic = Array(topics[number % topics.count].utf8)
        let json = Array("{\"seq\":\(number)}".utf8)
        try topic.withUnsafeBytes { topic in
            try json.withUnsafeBytes { json in try publisher.send(topic, json) }
        }
        return json
    }

    private var droppedTotal: Int {
        SegdMetrics.TopicFamily.allCases.map { metrics.outboundDropped($0).value }.reduce(0, +)
    }

    @Test func aStuckSubscriberIsCountedOncePerOverflowAndTheOtherGetsEverything() throws {
        let fast = try subscriber()
        let stuck = try subscriber()
        var sent = 0
        while sent < 50 {
            let json = try send(sent)
            // The fast subscriber gets every message, in order, whatever the stuck one does.
            let message = try #require(try fast.receiveMultipart(dontWait: true), "message \(sent) did not reach the fast subscriber")
            #expect(message[1] == json)
            sent += 1
        }
        // The stuck queue overflowed once; libzmq then stops offering it messages, unseen.
        #expect(droppedTotal == 1)
        var stuckGot = 0
        while try stuck.receiveMultipart(dontWait: true) != nil { stuckGot += 1 }
        #expect(stuckGot >= 2 && stuckGot < 10, "the stuck subscriber got \(stuckGot)")

        // It has read its queue: once the publisher learns that, it is offered messages again and
        // overflows again, a second count; the fast one still misses nothing.
        _ = try socket.events
        while droppedTotal < 2, sent < 100 {
            let json = try send(sent)
            #expect(try fast.receiveMultipart(dontWait: true)?[1] == json)
            sent += 1
        }
        #expect(droppedTotal == 2)
        #expect(try fast.receiveMultipart(dontWait: true) == nil)
        #expect(metrics.outboundDropped(.other).value == 0)
    }

    @Test func withoutSubscribersOrWithRoomNothingIsCounted() throws {
        for number in 0..<10 { _ = try send(number) }
        let reader = try subscriber()
        for number in 0..<100 {
            let json = try send(number)
            #expect(try reader.receiveMultipart(dontWait: true)?[1] == json)
        }
        #expect(droppedTotal == 0)
    }
}
