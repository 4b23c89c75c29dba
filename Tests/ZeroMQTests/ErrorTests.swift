import Glibc
import Testing
import ZeroMQ

@Suite("Errors")
struct ErrorTests {
    @Test func bindToAnUnknownTransportNamesTheCallAndEndpoint() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pub)
        let error = #expect(throws: ZMQError.self) {
            try socket.bind("carrier-pigeon://loft")
        }
        #expect(error?.errnoCode == EPROTONOSUPPORT)
        #expect(error?.function == "zmq_bind")
        #expect(error?.endpoint == "carrier-pigeon://loft")
        #expect(error?.description == "zmq_bind(carrier-pigeon://loft) failed: Protocol not supported (errno \(EPROTONOSUPPORT))")
        #expect(error?.isContextTerminated == false)
    }

    @Test func bindToAMalformedAddressFails() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pub)
        let error = #expect(throws: ZMQError.self) {
            try socket.bind("tcp://127.0.0.1")
        }
        #expect(error?.errnoCode == EINVAL)
    }

    @Test func bindingATakenPortFails() throws {
        let context = try ZMQContext()
        let first = try context.makeSocket(.pull)
        let endpoint = try first.bind("tcp://127.0.0.1:*")
        let second = try context.makeSocket(.pull)
        let error = #expect(throws: ZMQError.self) {
            try second.bind(endpoint)
        }
        #expect(error?.errnoCode == EADDRINUSE)
        #expect(error?.endpoint == endpoint)
    }

    @Test func refusedOptionIsNamed() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pub)
        let error = #expect(throws: ZMQError.self) {
            try socket.setSendHighWaterMark(-1)
        }
        #expect(error?.errnoCode == EINVAL)
        #expect(error?.function == "zmq_setsockopt")
        #expect(error?.option == "ZMQ_SNDHWM")
    }
}
