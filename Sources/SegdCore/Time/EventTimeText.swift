/// Event times and durations as people type them on the command line and in the config:
/// `2026-03-01T00:00:00Z` or `1772323200000` (epoch milliseconds), and `250ms`, `30s`, `5m`,
/// `2h`, `7d`. Times use the same parser as the inbound decoder, so the two cannot disagree.
public enum EventTimeText {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// Epoch milliseconds of an RFC 3339 UTC time or a non-negative integer; nil if neither.
    public static func parse(_ text: String) -> Int64? {
        if let milliseconds = Int64(text), milliseconds >= 0 { return milliseconds }
        var copy = text
        return copy.withUTF8 { RFC3339Timestamp.epochMilliseconds(UnsafeRawBufferPointer($0)) }
    }

    /// Milliseconds of a duration such as `5m`; nil when malformed or too large.
    public static func parseDuration(_ text: String) -> Int64? {
        for unit in units where text.hasSuffix(unit.suffix) {
            // "5ms" also ends in "s": only accept when what is left is a plain number.
            guard let value = Int64(text.dropLast(unit.suffix.count)), value >= 0 else { continue }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit.milliseconds)
            return overflow ? nil : product
        }
        return nil
    }

    /// The shortest exact spelling of a duration: `90000` → `90s`.
    public static func formatDuration(_ milliseconds: Int64) -> String {
        for unit in units.reversed() where milliseconds > 0 && milliseconds % unit.milliseconds == 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }
}
