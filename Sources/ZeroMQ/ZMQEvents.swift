import CZeroMQ

/// Readiness of a socket or descriptor: what `ZMQPoller` waits for and what `ZMQSocket.events` reports.
public struct ZMQEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// At least one whole message can be received (for a descriptor: it is readable).
    public static let readable = ZMQEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking (for a descriptor: it is writable).
    public static let writable = ZMQEvents(rawValue: Int16(ZMQ_POLLOUT))
}
