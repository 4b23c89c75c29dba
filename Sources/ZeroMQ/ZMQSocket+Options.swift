import CZeroMQ

// Typed socket options. Each is one line over the generic `zmq_setsockopt` / `zmq_getsockopt` helpers at the end
// of the file; options libzmq accepts only for writing have a setter and no getter. Times are in milliseconds, the
// unit libzmq uses, with -1 meaning "no limit" where libzmq allows it.
extension ZMQSocket {
    /// Messages queued per peer for sending before PUB and ROUTER drop and PUSH, DEALER and REQ block (0: no limit).
    public var sendHighWaterMark: Int32 {
        get throws(ZMQError) { try option(ZMQ_SNDHWM, "ZMQ_SNDHWM") }
    }
    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDHWM, "ZMQ_SNDHWM", messages)
    }

    /// Messages queued per peer for receiving before libzmq stops reading from that peer (0: no limit).
    public var receiveHighWaterMark: Int32 {
        get throws(ZMQError) { try option(ZMQ_RCVHWM, "ZMQ_RCVHWM") }
    }
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setOption(ZMQ_RCVHWM, "ZMQ_RCVHWM", messages)
    }

    /// How long unsent messages are kept after `close()` (0: drop them, -1: until sent).
    public var linger: Int32 {
        get throws(ZMQError) { try option(ZMQ_LINGER, "ZMQ_LINGER") }
    }
    public func setLinger(_ milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_LINGER, "ZMQ_LINGER", milliseconds)
    }

    /// Largest inbound message in bytes; a peer that sends a larger one is disconnected (-1: unlimited).
    public var maxMessageSize: Int64 {
        get throws(ZMQError) { try option(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE") }
    }
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) {
        try setOption(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", bytes)
    }

    /// How long a blocking receive waits before returning "nothing received" (-1: forever).
    public var receiveTimeout: Int32 {
        get throws(ZMQError) { try option(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }
    }
    public func setReceiveTimeout(_ milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", milliseconds)
    }

    /// How long a blocking send waits before returning "not sent" (-1: forever).
    public var sendTimeout: Int32 {
        get throws(ZMQError) { try option(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }
    }
    public func setSendTimeout(_ milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO", milliseconds)
    }

    /// Whether messages are queued only for completed connections, so a send cannot sit in a pipe to a peer that
    /// is not there yet.
    public var immediate: Bool {
        get throws(ZMQError) { try flag(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") }
    }
    public func setImmediate(_ enabled: Bool) throws(ZMQError) {
        try setFlag(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", enabled)
    }

    /// Whether tcp endpoints may use IPv6 as well as IPv4.
    public var ipv6: Bool {
        get throws(ZMQError) { try flag(ZMQ_IPV6, "ZMQ_IPV6") }
    }
    public func setIPv6(_ enabled: Bool) throws(ZMQError) {
        try setFlag(ZMQ_IPV6, "ZMQ_IPV6", enabled)
    }

    /// SO_KEEPALIVE on tcp connections: `nil` leaves the operating system's default.
    public var tcpKeepalive: Bool? {
        get throws(ZMQError) {
            let value: CInt = try option(ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE")
            return value == -1 ? nil : value != 0
        }
    }
    public func setTCPKeepalive(_ enabled: Bool?) throws(ZMQError) {
        try setOption(ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE", enabled.map { $0 ? CInt(1) : 0 } ?? -1)
    }

    /// Interval between ZMTP heartbeat pings on each connection (0: no heartbeats, libzmq's default).
    public var heartbeatInterval: Int32 {
        get throws(ZMQError) { try option(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL") }
    }
    public func setHeartbeatInterval(_ milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", milliseconds)
    }

    /// How long to wait for traffic after a ping before closing the connection (0: the heartbeat interval).
    public var heartbeatTimeout: Int32 {
        get throws(ZMQError) { try option(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT") }
    }
    public func setHeartbeatTimeout(_ milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", milliseconds)
    }

    /// How long the peer should keep the connection without traffic from us, sent in our pings (libzmq keeps
    /// deciseconds, up to 6553599).
    public var heartbeatTTL: Int32 {
        get throws(ZMQError) { try option(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL") }
    }
    public func setHeartbeatTTL(_ milliseconds: Int32) throws(ZMQError) {
        try setOption(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", milliseconds)
    }

    /// The identity a ROUTER peer sees for this socket (1 to 255 bytes, not starting with a zero byte); set it
    /// before connecting.
    public var routingID: [UInt8] {
        get throws(ZMQError) { try bytesOption(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", capacity: 255) }
    }
    public func setRoutingID(_ id: some ZMQFrameBytes) throws(ZMQError) {
        try setOption(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", bytes: id)
    }

    /// On a ROUTER, whether a message to an unknown routing id fails with `EHOSTUNREACH` instead of being dropped.
    public func setRouterMandatory(_ enabled: Bool) throws(ZMQError) {
        try setFlag(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", enabled)
    }

    /// On an XPUB, whether every subscription message is passed up, not only the first for each topic.
    public func setXPubVerbose(_ enabled: Bool) throws(ZMQError) {
        try setFlag(ZMQ_XPUB_VERBOSE, "ZMQ_XPUB_VERBOSE", enabled)
    }

    /// On an XPUB, whether a send that a subscriber's full queue (its high-water mark) cannot take fails as "not
    /// sent" (EAGAIN; with `dontWait` the send returns `false`) instead of being dropped for that subscriber. libzmq
    /// checks every subscriber the message matches and refuses it for all of them when any one is full. A
    /// subscriber whose queue overflowed while this was off is not matched again until it has read about half its
    /// queue, so it cannot refuse a message meanwhile. May be changed between sends.
    public func setXPubNoDrop(_ enabled: Bool) throws(ZMQError) {
        try setFlag(ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", enabled)
    }

    /// On a SUB, receives messages whose first frame starts with `prefix` (empty: every message).
    public func subscribe(_ prefix: some ZMQFrameBytes) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", bytes: prefix)
    }

    /// On a SUB, removes one earlier `subscribe` of exactly `prefix`.
    public func unsubscribe(_ prefix: some ZMQFrameBytes) throws(ZMQError) {
        try setOption(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", bytes: prefix)
    }

    /// The endpoint most recently bound or connected, with the port or path the system chose.
    public var lastEndpoint: String {
        get throws(ZMQError) { try stringOption(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT", capacity: 1024) }
    }

    /// Whether the frame just received is followed by more frames of the same message (`ZMQ_RCVMORE`).
    public var hasMoreFrames: Bool {
        get throws(ZMQError) { try flag(ZMQ_RCVMORE, "ZMQ_RCVMORE") }
    }

    /// A descriptor that becomes readable when `events` may have changed, for an outside event loop. It is edge-like:
    /// read `events` after it fires, and keep receiving while `events` contains `.readable`.
    public var fileDescriptor: CInt {
        get throws(ZMQError) { try option(ZMQ_FD, "ZMQ_FD") }
    }

    /// Whether a message can be received or sent now without blocking (`ZMQ_EVENTS`).
    public var events: ZMQEvents {
        get throws(ZMQError) {
            ZMQEvents(rawValue: Int16(truncatingIfNeeded: try option(ZMQ_EVENTS, "ZMQ_EVENTS", as: CInt.self)))
        }
    }
}

// The generic helpers. The option's name travels with it only to make a failure say which option was refused.
extension ZMQSocket {
    func option<Value: FixedWidthInteger>(
        _ code: CInt,
        _ name: StaticString,
        as type: Value.Type = Value.self
    ) throws(ZMQError) -> Value {
        let handle = openHandle
        var value: Value = 0
        var size = MemoryLayout<Value>.size
        try call("zmq_getsockopt", option: name) { zmq_getsockopt(handle, code, &value, &size) }
        return value
    }

    func setOption<Value: FixedWidthInteger>(_ code: CInt, _ name: StaticString, _ value: Value) throws(ZMQError) {
        let handle = openHandle
        var value = value
        try call("zmq_setsockopt", option: name) { zmq_setsockopt(handle, code, &value, MemoryLayout<Value>.size) }
    }

    func flag(_ code: CInt, _ name: StaticString) throws(ZMQError) -> Bool {
        try option(code, name, as: CInt.self) != 0
    }

    func setFlag(_ code: CInt, _ name: StaticString, _ enabled: Bool) throws(ZMQError) {
        try setOption(code, name, enabled ? CInt(1) : 0)
    }

    func bytesOption(_ code: CInt, _ name: StaticString, capacity: Int) throws(ZMQError) -> [UInt8] {
        let handle = openHandle
        var bytes = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        try call("zmq_getsockopt", option: name) {
            bytes.withUnsafeMutableBytes { zmq_getsockopt(handle, code, $0.baseAddress, &size) }
        }
        bytes.removeSubrange(size...)
        return bytes
    }

    func stringOption(_ code: CInt, _ name: StaticString, capacity: Int) throws(ZMQError) -> String {
        // libzmq counts the terminating NUL in the size it reports.
        let bytes = try bytesOption(code, name, capacity: capacity)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    func setOption(_ code: CInt, _ name: StaticString, bytes: some ZMQFrameBytes) throws(ZMQError) {
        let handle = openHandle
        try call("zmq_setsockopt", option: name) { bytes.withFrameBytes { zmq_setsockopt(handle, code, $0.baseAddress, $0.count) } }
    }
}
