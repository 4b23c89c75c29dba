import Testing
import ZeroMQ

@Suite("PUSH/PULL messages")
struct PushPullTests {
    /// Empty frames at both ends and a 1 MiB frame between small ones.
    static let frames: [[UInt8]] = [[], [0, 1, 2, 255], .pattern(count: 1 << 20), []]

    @Test func multipartMessagesArriveWholeOverIPC() throws {
        try withTemporaryDirectory { directory in
            let context = try ZMQContext()
            let receiver = try context.makeSocket(.pull)
            let endpoint = try receiver.bind("ipc://\(directory)/push-pull")
            let sender = try context.makeSocket(.push)
            try sender.connect(endpoint)
            for _ in 0..<3 {
                #expect(try sender.send(Self.frames))
            }

            #expect(try waitUntilReadable(receiver))
            #expect(try receiver.receiveMultipart() == Self.frames)

            var frameSet = ZMQFrameSet(capacity: 4)
            #expect(try receiver.receive(into: &frameSet))
            #expect(frameSet.count == 4)
            #expect(frameSet.totalFrameCount == 4)
            for index in 0..<frameSet.count {
                #expect(frameSet.withFrame(index) { Array($0) } == Self.frames[index])
            }

            var message = ZMQMessage()
            var received: [[UInt8]] = []
            repeat {
                #expect(try receiver.receive(into: &message))
                #expect(try receiver.hasMoreFrames == message.hasMore)
                received.append(message.withUnsafeBytes { Array($0) })
            } while message.hasMore && received.count < Self.frames.count
            #expect(received == Self.frames)
            #expect(message.count == 0)
        }
    }

    @Test func framesOfDifferentTypesMakeOneMessage() throws {
        let context = try ZMQContext()
        let receiver = try context.makeSocket(.pull)
        try receiver.bind("inproc://mixed")
        let sender = try context.makeSocket(.push)
        try sender.connect("inproc://mixed")

        let payload: [UInt8] = [9, 8, 7, 6]
        let line = "topic\tjson"
        try payload.withUnsafeBytes { raw in
            _ = try sender.send("orders.eu", payload, payload[1...2], raw, line[line.startIndex..<line.firstIndex(of: "\t")!])
        }
        #expect(try receiver.receiveMultipart() == [bytes("orders.eu"), payload, [8, 7], payload, bytes("topic")])
    }

    @Test func frameSetDrainsAndCountsFramesBeyondItsCapacity() throws {
        let context = try ZMQContext()
        let receiver = try context.makeSocket(.pull)
        try receiver.bind("inproc://overflow")
        let sender = try context.makeSocket(.push)
        try sender.connect("inproc://overflow")
        let tooMany: [[UInt8]] = (1...5).map { .pattern(count: $0) }
        try sender.send(tooMany)
        try sender.send(["clicks", "{}"])

        var frameSet = ZMQFrameSet(capacity: 2)
        #expect(try waitUntilReadable(receiver))
        #expect(try receiver.receive(into: &frameSet))
        #expect(frameSet.count == 2)
        #expect(frameSet.droppedFrameCount == 3)
        #expect(frameSet.droppedByteCount == 3 + 4 + 5)
        #expect(frameSet.totalFrameCount == 5)
        #expect(frameSet.withFrame(1) { Array($0) } == tooMany[1])

        #expect(try receiver.receive(into: &frameSet))
        #expect(frameSet.totalFrameCount == 2)
        #expect(frameSet.droppedByteCount == 0)
        #expect(frameSet.withFrame(0) { Array($0) } == bytes("clicks"))
        #expect(frameSet.withFrame(1) { Array($0) } == bytes("{}"))
    }

    @Test func nonBlockingCallsOnAnIdleSocketReturnInsteadOfThrowing() throws {
        let context = try ZMQContext()
        let receiver = try context.makeSocket(.pull)
        try receiver.bind("inproc://idle")
        var frameSet = ZMQFrameSet()
        var message = ZMQMessage()
        #expect(try !receiver.receive(into: &frameSet, dontWait: true))
        #expect(frameSet.totalFrameCount == 0)
        #expect(try !receiver.receive(into: &message, dontWait: true))
        #expect(try receiver.receiveMultipart(dontWait: true) == nil)

        try receiver.setReceiveTimeout(10)
        #expect(try receiver.receiveMultipart() == nil)

        // A PUSH with no peer has nowhere to queue a message.
        let sender = try context.makeSocket(.push)
        #expect(try !sender.send("lost", dontWait: true))
    }

    @Test func oversizedMessageDisconnectsItsSender() throws {
        let context = try ZMQContext()
        let receiver = try context.makeSocket(.pull)
        try receiver.setMaxMessageSize(1_024)
        let endpoint = try receiver.bind("tcp://127.0.0.1:*")
        let sender = try context.makeSocket(.push)
        try sender.connect(endpoint)
        try sender.send([UInt8].pattern(count: 4_096))

        // The receiver drops the connection at the oversized frame's header; the sender reconnects by itself, and
        // the first message to arrive must be a small one sent after the large one.
        var received: [[UInt8]]?
        let deadline = ContinuousClock.now + patience
        while received == nil, ContinuousClock.now < deadline {
            try sender.send("ping", dontWait: true)
            if try waitUntilReadable(receiver, timeout: .milliseconds(20)) {
                received = try receiver.receiveMultipart()
            }
        }
        #expect(received == [bytes("ping")])
    }
}
