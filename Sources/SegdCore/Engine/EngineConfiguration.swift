public import SegdDurability

/// Everything the engine needs to know from the config file, already validated: windows, the
/// currency segments are computed in, time bounds and the segment definitions (rule source text;
/// ``SegmentEngine`` compiles them).
public struct EngineConfiguration: Sendable, Equatable {
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
    /// The most `event_id`s remembered: past it the oldest is forgotten before its horizon ends.
    public var dedupCapacity: Int
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
        dedupCapacity: Int = EngineConfiguration.defaultDedupCapacity,
        segments: [Segment] = [],
        churn: ChurnSettings? = nil
    ) {
        self.windows = windows
        self.currency = currency
        self.minorUnitsPerMajor = minorUnitsPerMajor
        self.allowedLatenessMilliseconds = allowedLatenessMilliseconds
        self.maxFutureSkewMilliseconds = maxFutureSkewMilliseconds
        self.dedupHorizonMilliseconds = dedupHorizonMilliseconds
        self.dedupCapacity = dedupCapacity
        self.segments = segments
        self.churn = churn
    }

    /// Ten million ids: 0.5 to 0.65 GB, 100 seconds of a stream of 100,000 events a second, the
    /// whole 24 h horizon of one under 115 a second.
    public static let defaultDedupCapacity = 10_000_000

    public static let defaultWindows: [WindowSpec] = [
        WindowSpec(unit: .hour, length: 24), WindowSpec(unit: .day, length: 7),
        WindowSpec(unit: .day, length: 30), WindowSpec(unit: .day, length: 90),
    ]
}

extension EngineConfiguration {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(list: windows) { writer, window in window.encode(into: &writer) }
        writer.write(currency.description)
        writer.write(int: minorUnitsPerMajor)
        writer.write(allowedLatenessMilliseconds)
        writer.write(maxFutureSkewMilliseconds)
        writer.write(dedupHorizonMilliseconds)
        writer.write(int: dedupCapacity)
        Segment.encode(segments, into: &writer)
        writer.write(optional: churn) { writer, churn in churn.encode(into: &writer) }
    }

    /// Refuses values the engine cannot run with; the config file's own, stricter limits were
    /// checked when the configuration was first read. Format 1 (before the dedup capacity) gets
    /// the default capacity.
    public init(decoding reader: inout BinaryReader, formatVersion: UInt32 = SegmentEngine.snapshotFormatVersion) throws(DurabilityError) {
        self.init()
        windows = try reader.readList { reader throws(DurabilityError) in try WindowSpec(decoding: &reader) }
        let currencyAt = reader.position
        let code = try reader.readString()
        guard let currency = CurrencyCode(code) else { throw reader.invalid("currency \"\(code)\" is not three letters A–Z", at: currencyAt) }
        self.currency = currency
        let unitsAt = reader.position
        minorUnitsPerMajor = try reader.readInt()
        guard minorUnitsPerMajor > 0 else { throw reader.invalid("minor units per major unit \(minorUnitsPerMajor) is not positive", at: unitsAt) }
        let latenessAt = reader.position
        allowedLatenessMilliseconds = try reader.read(Int64.self)
        // The store keeps a day bucket per day of lateness, at most BucketLists.maximumRetention in all.
        let maximumLateness = Int64(BucketLists.maximumRetention - CustomerStore.extraLatenessDays) * EventTime.millisecondsPerDay
        guard (0...maximumLateness).contains(allowedLatenessMilliseconds) else {
            throw reader.invalid("allowed lateness \(allowedLatenessMilliseconds) ms is outside 0…\(maximumLateness)", at: latenessAt)
        }
        maxFutureSkewMilliseconds = try reader.read(Int64.self)
        dedupHorizonMilliseconds = try reader.read(Int64.self)
        if formatVersion >= 2 {
            let capacityAt = reader.position
            dedupCapacity = try reader.readInt()
            guard dedupCapacity > 0 else { throw reader.invalid("dedup capacity \(dedupCapacity) is not positive", at: capacityAt) }
        }
        segments = try Segment.decodeList(&reader)
        churn = try reader.readOptional { reader throws(DurabilityError) in try ChurnSettings(decoding: &reader) }
    }
}

extension EngineConfiguration.Segment {
    public func encode(into writer: inout BinaryWriter) {
        writer.write(name)
        writer.write(description)
        writer.write(rule)
        writer.write(optional: family) { writer, family in writer.write(family) }
    }

    public init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        self.init(
            name: try reader.readString(), description: try reader.readString(), rule: try reader.readString(),
            family: try reader.readOptional { reader throws(DurabilityError) in try reader.readString() })
    }

    /// A `UInt32` count, then each segment.
    public static func encode(_ segments: [EngineConfiguration.Segment], into writer: inout BinaryWriter) {
        writer.write(list: segments) { writer, segment in segment.encode(into: &writer) }
    }

    public static func decodeList(_ reader: inout BinaryReader) throws(DurabilityError) -> [EngineConfiguration.Segment] {
        try reader.readList { reader throws(DurabilityError) in try EngineConfiguration.Segment(decoding: &reader) }
    }
}
