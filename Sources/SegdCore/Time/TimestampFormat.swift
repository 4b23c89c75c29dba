/// Writes event times the way every outbound message carries them: RFC 3339 UTC with
/// millisecond precision, `2026-11-24T15:45:47.123Z`, always 24 bytes.
public enum TimestampFormat {
    /// Appends the RFC 3339 form of `milliseconds` (since the Unix epoch) to `out`.
    public static func appendRFC3339(_ milliseconds: Int64, to out: inout [UInt8]) {
        let day = EventTime.day(milliseconds)
        let date = CivilDate(daysSinceEpoch: day)
        var rest = milliseconds - day * EventTime.millisecondsPerDay
        let hour = rest / EventTime.millisecondsPerHour
        rest -= hour * EventTime.millisecondsPerHour
        let minute = rest / EventTime.millisecondsPerMinute
        rest -= minute * EventTime.millisecondsPerMinute
        let second = rest / EventTime.millisecondsPerSecond
        let millis = rest - second * EventTime.millisecondsPerSecond
        appendDigits(date.year, count: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(date.month, count: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(date.day, count: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(hour, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(minute, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(second, count: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(millis, count: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// The RFC 3339 form of `milliseconds` as a String, for logs and summaries.
    public static func rfc3339(_ milliseconds: Int64) -> String {
        var bytes: [UInt8] = []
        appendRFC3339(milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendDigits(_ value: Int64, count: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(remaining / divisor % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
