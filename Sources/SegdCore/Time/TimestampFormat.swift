/// Writes event times the way every outbound message carries them: RFC 3339 UTC with
/// millisecond precision, `2026-11-24T15:45:47.123Z`, always 24 bytes.
public enum TimestampFormat {
    /// The length of every formatted time.
    public static let length = 24

    /// Appends the RFC 3339 form of `milliseconds` (since the Unix epoch) to `out`.
    public static func appendRFC3339(_ milliseconds: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { text in
            write(milliseconds, into: text)
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// Writes the RFC 3339 form of `milliseconds` into `text`, which holds ``length`` bytes.
    public static func write(_ milliseconds: Int64, into text: UnsafeMutableBufferPointer<UInt8>) {
        let day = EventTime.day(milliseconds)
        writeDate(day: day, into: text)
        writeTimeOfDay(milliseconds - day * EventTime.millisecondsPerDay, into: text)
    }

    /// Writes `YYYY-MM-DDT` of UTC day `day` (days since the epoch) into the first 11 bytes of
    /// `text`.
    static func writeDate(day: Int64, into text: UnsafeMutableBufferPointer<UInt8>) {
        let date = CivilDate(daysSinceEpoch: day)
        text[4] = UInt8(ascii: "-")
        text[7] = UInt8(ascii: "-")
        text[10] = UInt8(ascii: "T")
        putDigits(date.year, count: 4, at: 0, in: text)
        putDigits(date.month, count: 2, at: 5, in: text)
        putDigits(date.day, count: 2, at: 8, in: text)
    }

    /// Writes `hh:mm:ss.sssZ`, the time `milliseconds` into the UTC day, after the date.
    static func writeTimeOfDay(_ milliseconds: Int64, into text: UnsafeMutableBufferPointer<UInt8>) {
        var rest = milliseconds
        let hour = rest / EventTime.millisecondsPerHour
        rest -= hour * EventTime.millisecondsPerHour
        let minute = rest / EventTime.millisecondsPerMinute
        rest -= minute * EventTime.millisecondsPerMinute
        let second = rest / EventTime.millisecondsPerSecond
        let millis = rest - second * EventTime.millisecondsPerSecond
        text[13] = UInt8(ascii: ":")
        text[16] = UInt8(ascii: ":")
        text[19] = UInt8(ascii: ".")
        text[23] = UInt8(ascii: "Z")
        putDigits(hour, count: 2, at: 11, in: text)
        putDigits(minute, count: 2, at: 14, in: text)
        putDigits(second, count: 2, at: 17, in: text)
        putDigits(millis, count: 3, at: 20, in: text)
    }

    /// The RFC 3339 form of `milliseconds` as a String, for logs and summaries.
    public static func rfc3339(_ milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        appendRFC3339(milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the last `count` decimal digits of `value` (zero-padded) at `offset`.
    private static func putDigits(_ value: Int64, count: Int, at offset: Int, in text: UnsafeMutableBufferPointer<UInt8>) {
        var remaining = value
        for position in (offset..<offset + count).reversed() {
            text[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
    }
}

/// Writes RFC 3339 times for one message after another, most of them on the same UTC day: the
/// date part, whose civil-calendar conversion is most of the work, is formatted once per day and
/// copied after that.
struct TimestampWriter: Sendable {
    private var day: Int64 = .min
    /// `YYYY-MM-DDT` of ``day``, as loaded from the text it was written into.
    private var date: (UInt64, UInt16, UInt8) = (0, 0, 0)

    mutating func write(_ milliseconds: Int64, into text: UnsafeMutableBufferPointer<UInt8>) {
        let day = EventTime.day(milliseconds)
        let raw = UnsafeMutableRawPointer(text.baseAddress!)
        if day == self.day {
            raw.storeBytes(of: date.0, as: UInt64.self)
            raw.storeBytes(of: date.1, toByteOffset: 8, as: UInt16.self)
            raw.storeBytes(of: date.2, toByteOffset: 10, as: UInt8.self)
        } else {
            TimestampFormat.writeDate(day: day, into: text)
            self.day = day
            date = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self), raw.load(fromByteOffset: 10, as: UInt8.self))
        }
        TimestampFormat.writeTimeOfDay(milliseconds - day * EventTime.millisecondsPerDay, into: text)
    }
}
