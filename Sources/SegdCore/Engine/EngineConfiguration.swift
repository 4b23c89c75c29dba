/// Everything the engine needs to know from the config file, already validated: windows, the
/// currency segments are computed in, time bounds and the segment definitions (rule source text;
/// ``SegmentEngine`` compiles them).
public struct EngineConfiguration: Sendable {
    /// One `[[segment]]` entry of the config.
    public struct Segment: Sendable, Equatable {
        public var name: String
        public var description: String
        public var rule: String
        /// The mutually exclusive family the segment belongs to, if any: a customer is in at most
        /// one segment of a family, the first (in config order) whose rule holds.
        public var family: String?

        public init(name: String, description: String = "", rule: String, family: String? = nil) {
            self.name = name
            self.description = description
            self.rule = rule
            self.family = family
        }
    }

    public var windows: [WindowSpec]
    /// Orders in this currency count toward spend; others are dead-lettered as `currency`.
    public var currency: CurrencyCode
    /// Minor units per major unit of ``currency`` (100 for USD cents, 1 for JPY).
    public var minorUnitsPerMajor: Int
    /// How far behind the newest event time the engine clock (watermark) runs; events older than
    /// the clock are refused as `late`.
    public var allowedLatenessMilliseconds: Int64
    /// Events more than this ahead of the time they were received are refused as `future`.
    public var maxFutureSkewMilliseconds: Int64
    /// How long (in event time, behind the clock) an accepted `event_id` is remembered to drop retries.
    public var dedupHorizonMilliseconds: Int64
    public var segments: [Segment]
    /// The churn model and its alerts; nil turns churn off (no churn features or alerts).
    public var churn: ChurnSettings?

    public init(
        windows: [WindowSpec] = EngineConfiguration.defaultWindows,
        currency: CurrencyCode = CurrencyCode(0x55, 0x53, 0x44),
        minorUnitsPerMajor: Int = 100,
        allowedLatenessMilliseconds: Int64 = 0,
        maxFutureSkewMilliseconds: Int64 = EventTime.millisecondsPerHour,
        dedupHorizonMilliseconds: Int64 = EventTime.millisecondsPerDay,
        segments: [Segment] = [],
        churn: ChurnSettings? = nil
    ) {
        self.windows = windows
        self.currency = currency
        self.minorUnitsPerMajor = minorUnitsPerMajor
        self.allowedLatenessMilliseconds = allowedLatenessMilliseconds
        self.maxFutureSkewMilliseconds = maxFutureSkewMilliseconds
        self.dedupHorizonMilliseconds = dedupHorizonMilliseconds
        self.segments = segments
        self.churn = churn
    }

    public static let defaultWindows: [WindowSpec] = [
        WindowSpec(unit: .hour, length: 24), WindowSpec(unit: .day, length: 7),
        WindowSpec(unit: .day, length: 30), WindowSpec(unit: .day, length: 90),
    ]
}
