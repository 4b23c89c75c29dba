import CZeroMQ

/// A reusable set of libzmq messages that receives one whole multipart message at a time without allocating.
///
/// Owns `capacity` + 1 `zmq_msg_t`, allocated once at init and closed at deinit. A receive keeps the first
/// `capacity` frames and drains the rest through the spare message, counting them and their bytes, so the socket
/// always ends on a message boundary and the next receive starts clean; `totalFrameCount` says how many frames the
/// sender really sent. Frames stay valid until the next receive into the set. Noncopyable for the same reason as
/// `ZMQMessage`; belongs to the thread that receives into it.
public struct ZMQFrameSet: ~Copyable {
    private let messages: UnsafeMutablePointer<zmq_msg_t>

    /// How many frames of a message are kept.
    public let capacity: Int
    /// Frames kept from the last message received, at most `capacity`.
    public private(set) var count = 0
    /// Frames of the last message beyond `capacity`, received and released unread.
    public private(set) var droppedFrameCount = 0
    /// Bytes in the dropped frames.
    public private(set) var droppedByteCount = 0

    /// The number of frames the last message had, kept or dropped.
    public var totalFrameCount: Int {
        count + droppedFrameCount
    }

    /// A set that keeps up to `capacity` frames of each message, such as 2 for `[topic, json]` events.
    public init(capacity: Int = 4) {
        precondition(capacity > 0, "a frame set must keep at least one frame")
        self.capacity = capacity
        messages = .allocate(capacity: capacity + 1)
        messages.initialize(repeating: zmq_msg_t(), count: capacity + 1)
        for index in 0...capacity {
            zmq_msg_init(messages + index)
        }
    }

    deinit {
        for index in 0...capacity {
            zmq_msg_close(messages + index)
        }
        messages.deinitialize(count: capacity + 1)
        messages.deallocate()
    }

    /// Lends the bytes of kept frame `index` (0 ..< `count`) to `body`; valid only inside it.
    /// Inlinable, so that the receiver's per-message calls are specialized for their closures.
    @inlinable
    public func withFrame<R, E: Error>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(frameBytes(index))
    }

    @usableFromInline
    func frameBytes(_ index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "frame \(index) of a set holding \(count)")
        let message = messages + index
        return UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))
    }

    /// Receives one whole message from `socket`. Returns `false`, holding nothing, when the first frame would block.
    mutating func receive(from socket: UnsafeMutableRawPointer, dontWait: Bool) throws(ZMQError) -> Bool {
        count = 0
        droppedFrameCount = 0
        droppedByteCount = 0
        let firstFlags = dontWait ? ZMQ_DONTWAIT : 0
        guard try callAllowingWouldBlock("zmq_msg_recv", { zmq_msg_recv(messages, socket, firstFlags) }) != nil else {
            return false
        }
        count = 1
        var last = messages
        // A multipart message arrives whole, so the rest is already queued: receiving it cannot block, and a
        // would-block here would be thrown rather than taken for the end of the message.
        while zmq_msg_more(last) != 0 {
            let keep = count < capacity
            let message = keep ? messages + count : messages + capacity
            try call("zmq_msg_recv") { zmq_msg_recv(message, socket, 0) }
            if keep {
                count += 1
            } else {
                droppedFrameCount += 1
                droppedByteCount += zmq_msg_size(message)
            }
            last = message
        }
        return true
    }
}
