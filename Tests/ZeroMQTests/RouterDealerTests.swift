import Glibc
import Testing
import ZeroMQ

@Suite("ROUTER/DEALER")
struct RouterDealerTests {
    @Test func routerRepliesToTheDealerThatAsked() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.bind("inproc://router")
        let dealer = try context.makeSocket(.dealer)
        try dealer.setRoutingID("worker-1")
        try dealer.connect("inproc://router")

        try dealer.send("hello")
        #expect(try waitUntilReadable(router))
        let request = try #require(try router.receiveMultipart())
        #expect(request == [bytes("worker-1"), bytes("hello")])

        try router.send(request[0], "world")
        #expect(try waitUntilReadable(dealer))
        #expect(try dealer.receiveMultipart() == [bytes("world")])
    }

    @Test func mandatoryRouterRejectsAnUnknownPeer() throws {
        let context = try ZMQContext()
        let router = try context.makeSocket(.router)
        try router.setRouterMandatory(true)
        try router.bind("inproc://mandatory")
        let error = #expect(throws: ZMQError.self) {
            try router.send("nobody", "hello")
        }
        #expect(error?.errnoCode == EHOSTUNREACH)
        #expect(error?.function == "zmq_send")
    }
}
