import Foundation
import Testing
import ZeroMQ

@Suite("Polling and wakeups")
struct PollerTests {
    @Test func wakeupSignalledFromAnotherThreadWakesThePoller() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pull)
        try socket.bind("inproc://quiet")
        let wakeup = try Wakeup()
        let poller = ZMQPoller()
        let socketItem = poller.register(socket)
        let wakeupItem = poller.register(fileDescriptor: wakeup.fileDescriptor)

        Thread { wakeup.signal() }.start()
        #expect(try poller.poll(timeout: patience) == 1)
        #expect(poller.isReadable(wakeupItem))
        #expect(!poller.isReadable(socketItem))

        #expect(wakeup.drain())
        #expect(!wakeup.drain())
        #expect(try poller.poll(timeout: .zero) == 0)
        #expect(!poller.isReadable(wakeupItem))
    }

    @Test func signalsBeforeADrainMergeIntoOne() throws {
        let wakeup = try Wakeup()
        #expect(!wakeup.drain())
        wakeup.signal()
        wakeup.signal()
        #expect(wakeup.drain())
        #expect(!wakeup.drain())
    }

    @Test func pollTimesOutWhenNothingIsReady() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.pull)
        try socket.bind("inproc://silent")
        let poller = ZMQPoller()
        let item = poller.register(socket)
        #expect(try poller.poll(timeout: .milliseconds(10)) == 0)
        #expect(!poller.isReadable(item))
    }

    @Test func pollReportsReadableAndWritableSockets() throws {
        let context = try ZMQContext()
        let receiver = try context.makeSocket(.pull)
        try receiver.bind("inproc://ready")
        let sender = try context.makeSocket(.push)
        try sender.connect("inproc://ready")
        let poller = ZMQPoller()
        let receiverItem = poller.register(receiver)
        let senderItem = poller.register(sender, for: [.readable, .writable])

        try sender.send("one")
        #expect(try poller.poll(timeout: patience) == 2)
        #expect(poller.isReadable(receiverItem))
        #expect(!poller.isWritable(receiverItem))
        #expect(poller.isWritable(senderItem))
        #expect(!poller.isReadable(senderItem))
    }
}
