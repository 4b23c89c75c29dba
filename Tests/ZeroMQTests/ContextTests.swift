import Testing
import ZeroMQ

@Suite("Context lifecycle")
struct ContextTests {
    @Test func shutdownFailsABlockedReceiveOnAnotherThread() async throws {
        let context = try ZMQContext()
        let (ready, signalReady) = AsyncStream<Void>.makeStream()
        async let outcome = onNewThread { () -> Result<Bool, ZMQError> in
            defer { signalReady.finish() }
            return Result { () throws(ZMQError) -> Bool in
                let socket = try context.makeSocket(.pull)
                // Bounded, so that a shutdown that did not reach the receive fails the test instead of hanging it.
                try socket.setReceiveTimeout(5_000)
                try socket.bind("inproc://blocked")
                signalReady.yield()
                var message = ZMQMessage()
                return try socket.receive(into: &message)
            }
        }
        var readiness = ready.makeAsyncIterator()
        #expect(await readiness.next() != nil)
        context.shutdown()

        let result = await outcome
        #expect(throws: ZMQError.self) { try result.get() }
        #expect((try? result.get()) == nil)
        if case .failure(let error) = result {
            #expect(error.isContextTerminated)
            #expect(error.function == "zmq_msg_recv")
        }
    }

    @Test func terminatedContextMakesNoSockets() throws {
        let context = try ZMQContext()
        context.terminate()
        context.terminate()
        let error = #expect(throws: ZMQError.self) {
            try context.makeSocket(.pub)
        }
        #expect(error?.isContextTerminated == true)
    }

    @Test func socketKeepsItsContextAlive() throws {
        var context: ZMQContext? = try ZMQContext()
        weak let weakContext = context
        var socket: ZMQSocket? = try context?.makeSocket(.pull)
        context = nil
        #expect(weakContext != nil)
        try socket?.bind("inproc://kept-alive")
        socket = nil
        #expect(weakContext == nil)
    }
}
