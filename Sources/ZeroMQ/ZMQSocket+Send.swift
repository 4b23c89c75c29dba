import CZeroMQ

// Sending copies each frame into a libzmq message (`zmq_send`); the caller's buffers are only borrowed.
//
// Only the first frame of a message honours `dontWait` and can come back "not sent". libzmq delivers a multipart
// message atomically and counts the high-water mark in whole messages, so once PUB, PUSH, DEALER or ROUTER has
// accepted the first frame it accepts the rest at once. The later frames are therefore sent without
// ZMQ_DONTWAIT, and a would-block on one of them is thrown as a `ZMQError` (EAGAIN) rather than returned: a
// message is never silently left half-sent, which would glue the next message's frames onto it.
extension ZMQSocket {
    /// Sends `frames` as one multipart message (ZMQ_SNDMORE on all but the last).
    ///
    /// Returns `false`, having sent nothing, when the first frame would block: with `dontWait` when the queue is at
    /// its high-water mark (or a PUSH has no peer), or without it when `sendTimeout` elapsed. `frames` must not be
    /// empty: a ZeroMQ message has at least one frame.
    @discardableResult
    public func send<Frames: Collection>(
        _ frames: Frames,
        dontWait: Bool = false
    ) throws(ZMQError) -> Bool where Frames.Element: ZMQFrameBytes {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let handle = openHandle
        var index = frames.startIndex
        var next = frames.index(after: index)
        let more = next != frames.endIndex
        guard try Self.sendFirstFrame(frames[index], to: handle, more: more, dontWait: dontWait) else {
            return false
        }
        while next != frames.endIndex {
            index = next
            next = frames.index(after: index)
            try Self.sendLaterFrame(frames[index], to: handle, more: next != frames.endIndex)
        }
        return true
    }

    /// Sends a message of one or more frames of any mix of byte types, such as `send(topic, json)` with a `String`
    /// topic and `[UInt8]` payload. Returns `false`, having sent nothing, when the first frame would block.
    @discardableResult
    public func send<First: ZMQFrameBytes, each Rest: ZMQFrameBytes>(
        _ first: First,
        _ rest: repeat each Rest,
        dontWait: Bool = false
    ) throws(ZMQError) -> Bool {
        let handle = openHandle
        var remaining = 0
        for _ in repeat each rest {
            remaining += 1
        }
        guard try Self.sendFirstFrame(first, to: handle, more: remaining > 0, dontWait: dontWait) else {
            return false
        }
        for frame in repeat each rest {
            remaining -= 1
            try Self.sendLaterFrame(frame, to: handle, more: remaining > 0)
        }
        return true
    }

    private static func sendFirstFrame(
        _ frame: some ZMQFrameBytes,
        to handle: UnsafeMutableRawPointer,
        more: Bool,
        dontWait: Bool
    ) throws(ZMQError) -> Bool {
        let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        return try callAllowingWouldBlock("zmq_send") {
            frame.withFrameBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
        } != nil
    }

    private static func sendLaterFrame(
        _ frame: some ZMQFrameBytes,
        to handle: UnsafeMutableRawPointer,
        more: Bool
    ) throws(ZMQError) {
        let flags = more ? ZMQ_SNDMORE : 0
        try call("zmq_send") { frame.withFrameBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) } }
    }
}
