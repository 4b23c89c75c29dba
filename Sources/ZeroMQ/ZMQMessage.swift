import CZeroMQ

/// One received frame, held in a libzmq message (`zmq_msg_t`) that is reused from one receive to the next.
///
/// Owns the libzmq message and closes it at deinit; each receive into it releases the previous frame first.
/// Noncopyable because a bitwise copy of a `zmq_msg_t` would share, and then double-free, its content. Belongs to
/// the thread that receives into it. Frames of any size arrive whole: libzmq sizes the message, nothing truncates.
public struct ZMQMessage: ~Copyable {
    var raw: zmq_msg_t

    /// An empty message, ready to receive into.
    public init() {
        raw = zmq_msg_t()
        zmq_msg_init(&raw)
    }

    deinit {
        // zmq_msg_close fails only for a message that was never initialised, which init rules out.
        var raw = raw
        zmq_msg_close(&raw)
    }

    /// The frame's size in bytes.
    public var count: Int {
        withUnsafePointer(to: raw) { zmq_msg_size($0) }
    }

    /// Whether more frames of the same multipart message follow this one.
    public var hasMore: Bool {
        withUnsafePointer(to: raw) { zmq_msg_more($0) != 0 }
    }

    /// Lends the frame's bytes to `body`; they are valid only inside it and only until the next receive.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafePointer(to: raw) { message throws(E) in
            // zmq_msg_data only reads, but its C signature takes a mutable pointer.
            let start = zmq_msg_data(UnsafeMutablePointer(mutating: message))
            return try body(UnsafeRawBufferPointer(start: start, count: zmq_msg_size(message)))
        }
    }

    /// Receives the next frame from `socket` into this message, releasing the frame it held. Returns `false` when
    /// libzmq answers EAGAIN, which leaves this message empty.
    mutating func receive(from socket: UnsafeMutableRawPointer, dontWait: Bool) throws(ZMQError) -> Bool {
        let flags = dontWait ? ZMQ_DONTWAIT : 0
        return try callAllowingWouldBlock("zmq_msg_recv") { zmq_msg_recv(&raw, socket, flags) } != nil
    }

    /// Receives a later frame of a multipart message. libzmq delivers a message whole, so the frame is already
    /// queued: this cannot block, and a would-block is thrown rather than taken for the end of the message.
    mutating func receiveNextFrame(from socket: UnsafeMutableRawPointer) throws(ZMQError) {
        try call("zmq_msg_recv") { zmq_msg_recv(&raw, socket, 0) }
    }
}
