import Testing
import ZeroMQ

@Suite("Socket options and endpoints")
struct SocketOptionTests {
    @Test func optionsReadBackWhatWasSet() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        try socket.setSendHighWaterMark(10)
        try socket.setReceiveHighWaterMark(20)
        try socket.setLinger(0)
        try socket.setMaxMessageSize(1 << 20)
        try socket.setReceiveTimeout(250)
        try socket.setSendTimeout(125)
        try socket.setImmediate(true)
        try socket.setIPv6(true)
        try socket.setTCPKeepalive(true)
        try socket.setHeartbeatInterval(1_000)
        try socket.setHeartbeatTimeout(3_000)
        try socket.setHeartbeatTTL(20_000)
        try socket.setRoutingID("worker-7")

        #expect(try socket.sendHighWaterMark == 10)
        #expect(try socket.receiveHighWaterMark == 20)
        #expect(try socket.linger == 0)
        #expect(try socket.maxMessageSize == 1 << 20)
        #expect(try socket.receiveTimeout == 250)
        #expect(try socket.sendTimeout == 125)
        #expect(try socket.immediate)
        #expect(try socket.ipv6)
        #expect(try socket.tcpKeepalive == true)
        #expect(try socket.heartbeatInterval == 1_000)
        #expect(try socket.heartbeatTimeout == 3_000)
        #expect(try socket.heartbeatTTL == 20_000)
        #expect(try socket.routingID == bytes("worker-7"))

        try socket.setTCPKeepalive(nil)
        #expect(try socket.tcpKeepalive == nil)
    }

    @Test func newSocketsStartWithTheContextLinger() throws {
        let context = try ZMQContext(defaultLinger: 250)
        let socket = try context.makeSocket(.push)
        #expect(try socket.linger == 250)
    }

    @Test func bindReturnsThePortTheSystemChose() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pull)
        let endpoint = try socket.bind("tcp://127.0.0.1:*")
        let prefix = "tcp://127.0.0.1:"
        #expect(endpoint.hasPrefix(prefix))
        let port = Int(endpoint.dropFirst(prefix.count)) ?? 0
        #expect(port > 0 && port < 65_536)
        #expect(try socket.lastEndpoint == endpoint)
        try socket.unbind(endpoint)
    }

    @Test func connectAndDisconnectTakeTheSameEndpoint() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.push)
        try socket.connect("inproc://not-yet-bound")
        #expect(try socket.lastEndpoint == "inproc://not-yet-bound")
        try socket.disconnect("inproc://not-yet-bound")
    }

    @Test func closeIsIdempotent() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.sub)
        #expect(!socket.isClosed)
        socket.close()
        socket.close()
        #expect(socket.isClosed)
    }

    @Test func eventsReportAQueuedMessage() throws {
        let context = try ZMQContext()
        let receiver = try context.makeSocket(.pull)
        try receiver.bind("inproc://events")
        let sender = try context.makeSocket(.push)
        try sender.connect("inproc://events")
        #expect(try receiver.fileDescriptor >= 0)
        #expect(try !receiver.events.contains(.readable))
        #expect(try sender.events.contains(.writable))

        try sender.send("one")
        #expect(try waitUntilReadable(receiver))
        #expect(try receiver.events.contains(.readable))
    }
}
