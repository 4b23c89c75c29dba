import SegdDurability

/// One rolling window, written `<N>h` (N UTC hour buckets, N ≤ 24) or `<N>d` (N UTC day buckets,
/// N ≤ 366). A window of N buckets at time t covers the N buckets ending with the bucket holding t
/// (and, within the allowed lateness, any bucket after it), so `7d` at 2026-11-24T15:00Z counts
/// events from 2026-11-18T00:00Z on.
public struct WindowSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: Sendable, Hashable {
        case hour
        case day

        public var milliseconds: Int64 {
            switch self {
            case .hour: EventTime.millisecondsPerHour
            case .day: EventTime.millisecondsPerDay
            }
        }
    }

    public let unit: Unit
    public let length: Int32

    public init(unit: Unit, length: Int32) {
        self.unit = unit
        self.length = length
    }

    /// Parses `24h` or `30d`; the error says what a valid window looks like.
    public init(parsing text: String) throws(WindowSpecError) {
        guard let suffix = text.last, let length = Int32(text.dropLast()), length > 0 else {
            throw WindowSpecError(text: text)
        }
        switch suffix {
        case "h" where length <= 24: self.init(unit: .hour, length: length)
        case "d" where length <= 366: self.init(unit: .day, length: length)
        default: throw WindowSpecError(text: text)
        }
    }

    /// The label used in feature names: `orders_30d`.
    public var description: String { "\(length)\(unit == .hour ? "h" : "d")" }

    /// The bucket number holding `time`.
    @inlinable
    public func bucket(at time: Int64) -> Int32 {
        Int32(truncatingIfNeeded: EventTime.floorDivide(time, unit.milliseconds))
    }

    /// The oldest bucket number that counts in this window at `time`: every bucket numbered this
    /// or later does.
    @inlinable
    public func firstBucket(at time: Int64) -> Int32 {
        bucket(at: time) - length + 1
    }

    /// The instant at which bucket `bucket` leaves this window.
    @inlinable
    public func expiry(of bucket: Int32) -> Int64 {
        Int64(bucket + length) * unit.milliseconds
    }
}

extension WindowSpec {
    /// The config spelling (`24h`), so decoding validates exactly as the config file does.
    func encode(into writer: inout BinaryWriter) {
        writer.write(description)
    }

    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let start = reader.position
        let text = try reader.readString()
        do {
            try self.init(parsing: text)
        } catch {
            throw reader.invalid(error.description, at: start)
        }
    }
}

public struct WindowSpecError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "invalid window \"\(text)\": expected <N>h with N in 1…24 (hour buckets) or <N>d with N in 1…366 (day buckets), e.g. \"24h\", \"30d\""
    }
}
