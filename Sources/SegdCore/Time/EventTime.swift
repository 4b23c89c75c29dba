/// Event-time arithmetic. segd measures time in milliseconds since the Unix epoch (UTC) and
/// groups it into UTC hour and day buckets; these helpers are the one place that division lives.
public enum EventTime {
    public static let millisecondsPerSecond: Int64 = 1_000
    public static let millisecondsPerMinute: Int64 = 60_000
    public static let millisecondsPerHour: Int64 = 3_600_000
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// Division rounding toward negative infinity, so times before 1970 still land in the right bucket.
    @inlinable
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// The UTC day number (days since 1970-01-01) containing `milliseconds`.
    @inlinable
    public static func day(_ milliseconds: Int64) -> Int64 { floorDivide(milliseconds, millisecondsPerDay) }

    /// The hour number (hours since 1970-01-01T00:00Z) containing `milliseconds`.
    @inlinable
    public static func hour(_ milliseconds: Int64) -> Int64 { floorDivide(milliseconds, millisecondsPerHour) }
}
