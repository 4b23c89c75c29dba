import SegdDurability

/// The population's distribution of gaps, in whole days, between a customer's consecutive
/// purchase days: the yardstick one-time buyers are judged by, since BG/NBD says nothing about
/// them. If 90 % of repeat purchases come within 60 days of the one before, a one-time buyer
/// silent for 60 days is as late as only 10 % of returning customers were.
///
/// A histogram of one counter per day up to ``maximumDays`` (ten years; longer gaps share the
/// last counter), so adding a gap is O(1) and a quantile one pass over the counters.
public struct InterpurchaseGaps: Sendable, Equatable {
    public static let maximumDays = 3_660
    public private(set) var counts = [UInt64](repeating: 0, count: maximumDays + 1)
    public private(set) var total: UInt64 = 0

    public init() {}

    /// Adds one gap of `days` (at least 1: purchase days are distinct).
    public mutating func add(days: Int64) {
        guard days > 0 else { return }
        counts[Int(min(days, Int64(Self.maximumDays)))] += 1
        total += 1
    }

    /// Adds the gaps between each pair of consecutive days in `days`, which must be ascending.
    public mutating func add<Days: Sequence<Int64>>(purchaseDays days: Days) {
        var previous: Int64?
        for day in days {
            if let previous { add(days: day - previous) }
            previous = day
        }
    }

    /// The smallest gap g such that at least `quantile` of all gaps are at most g; nil without gaps.
    public func quantile(_ quantile: Double) -> Int64? {
        guard total > 0 else { return nil }
        let target = (quantile * Double(total)).rounded(.up)
        var cumulative: UInt64 = 0
        for (days, count) in counts.enumerated() where count > 0 {
            cumulative += count
            if Double(cumulative) >= target { return Int64(days) }
        }
        return Int64(Self.maximumDays)
    }
}

extension InterpurchaseGaps {
    /// The counters that are not zero, as a column of gap lengths and one of counts: most of
    /// the ten years of counters are empty.
    func encode(into writer: inout BinaryWriter) {
        let days = counts.indices.filter { counts[$0] > 0 }
        writer.write(array: days.map { UInt16($0) })
        writer.write(array: days.map { counts[$0] })
    }

    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let start = reader.position
        let days = try reader.readArray(of: UInt16.self)
        let dayCounts = try reader.readColumn(of: UInt64.self, count: days.count, "inter-purchase gap counts")
        self.init()
        var previous = -1
        for (day, count) in zip(days, dayCounts) {
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard Int(day) > previous, Int(day) <= Self.maximumDays, count > 0, !overflow else {
                throw reader.invalid("inter-purchase gap counters are not ascending gaps of 0…\(Self.maximumDays) days with counts adding up", at: start)
            }
            counts[Int(day)] = count
            total = sum
            previous = Int(day)
        }
    }
}
