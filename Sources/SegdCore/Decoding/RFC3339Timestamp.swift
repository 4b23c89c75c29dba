/// Parses the one timestamp form the schemas allow, `YYYY-MM-DDThh:mm:ss[.f{1,9}]Z`, into epoch
/// milliseconds with integer arithmetic only; the day number comes from ``CivilDate`` (Howard
/// Hinnant's `days_from_civil`). Owns nothing. Exists because a general date formatter is two
/// orders of magnitude too slow for the ingest path (DESIGN.md, performance principles).
enum RFC3339Timestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z of `text`, or nil when it does not match the
    /// schema's pattern, names a day the calendar lacks (2025-02-29, 2026-04-31) or is in year
    /// 0000, which the schema excludes. Digits below the millisecond are truncated, not rounded,
    /// so a time never moves into the next millisecond.
    static func epochMilliseconds(_ text: UnsafeRawBufferPointer) -> Int64? {
        // 20 bytes without a fraction; a fraction adds a dot and 1…9 digits.
        let count = text.count
        guard count == 20 || (22...30).contains(count) else { return nil }
        guard text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
              text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[count - 1] == UInt8(ascii: "Z"),
              let year = digits(text, 0, 4), let month = digits(text, 5, 2), let day = digits(text, 8, 2),
              let hour = digits(text, 11, 2), let minute = digits(text, 14, 2), let second = digits(text, 17, 2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(month, year: year),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var millisecond: Int64 = 0
        if count > 20 {
            guard text[19] == UInt8(ascii: "."), let fraction = digits(text, 20, count - 21) else { return nil }
            // Scale the 1…9 digits to exactly three: pad short fractions, drop the rest.
            let fractionDigits = count - 21
            if fractionDigits >= 3 {
                var divisor: Int64 = 1
                for _ in 3..<fractionDigits { divisor *= 10 }
                millisecond = fraction / divisor
            } else {
                millisecond = fractionDigits == 1 ? fraction * 100 : fraction * 10
            }
        }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond
    }

    /// The decimal value of `length` ASCII digits at `offset`, or nil if any byte is not a digit.
    @inline(__always)
    private static func digits(_ text: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> Int64? {
        var value: Int64 = 0
        for i in offset..<offset + length {
            let digit = text[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
}
