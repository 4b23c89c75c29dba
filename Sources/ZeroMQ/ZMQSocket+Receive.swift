import CZeroMQ

// Receiving never truncates: libzmq sizes each message to the frame, and these calls lend that message rather
// than copying it into a buffer of a guessed size. EAGAIN (nothing queued with `dontWait`, or `receiveTimeout`
// elapsed) is an answer, not an error.
extension ZMQSocket {
    /// Receives the next frame into `message`, releasing the frame it held; `message.hasMore` says whether the
    /// message goes on. Returns `false`, leaving `message` empty, when nothing could be received.
    public func receive(into message: inout ZMQMessage, dontWait: Bool = false) throws(ZMQError) -> Bool {
        try message.receive(from: openHandle, dontWait: dontWait)
    }

    /// Receives the next whole message into `frames` without allocating. Returns `false` when nothing could be
    /// received. The hot path: keep one `ZMQFrameSet` per loop and reuse it.
    public func receive(into frames: inout ZMQFrameSet, dontWait: Bool = false) throws(ZMQError) -> Bool {
        try frames.receive(from: openHandle, dontWait: dontWait)
    }

    /// Receives the next whole message as arrays of bytes, one per frame, or `nil` when nothing could be received.
    /// Copies every frame: for tests and tools, not for the hot path.
    public func receiveMultipart(dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        let handle = openHandle
        var message = ZMQMessage()
        guard try message.receive(from: handle, dontWait: dontWait) else { return nil }
        var frames = [message.withUnsafeBytes { Array($0) }]
        while message.hasMore {
            try message.receiveNextFrame(from: handle)
            frames.append(message.withUnsafeBytes { Array($0) })
        }
        return frames
    }
}
