import SegdDurability

/// Counters of what the engine did: events accepted by kind, messages rejected by reason, alerts
/// by topic and current segment sizes. Kept by the engine's single writer; read for summaries and
/// metrics. Deterministic, so a replay's summary is the same every time.
public struct EngineStatistics: Sendable, Equatable {
    public var acceptedByKind: [Int] = Array(repeating: 0, count: EventKind.allCases.count)
    public var rejectedByReason: [RejectReason: Int] = [:]
    public var enteredBySegment: [Int]
    public var exitedBySegment: [Int]
    public var membersBySegment: [Int]
    /// `churn.risk` and `churn.recovered` alerts, churn models installed by a refit, and refits that failed.
    public var churnRiskAlerts = 0
    public var churnRecoveredAlerts = 0
    public var churnRefits = 0
    public var churnRefitFailures = 0

    public init(segmentCount: Int) {
        enteredBySegment = Array(repeating: 0, count: segmentCount)
        exitedBySegment = Array(repeating: 0, count: segmentCount)
        membersBySegment = Array(repeating: 0, count: segmentCount)
    }

    public var accepted: Int { acceptedByKind.reduce(0, +) }
    public var rejected: Int { rejectedByReason.values.reduce(0, +) }
    public var alerts: Int { enteredBySegment.reduce(0, +) + exitedBySegment.reduce(0, +) + churnRiskAlerts + churnRecoveredAlerts }

    /// The same counters for a new segment list: a segment keeps its counts under its name, a new
    /// one starts at zero, a removed one's counts are dropped.
    func remapped(from oldNames: [String], to newNames: [String]) -> EngineStatistics {
        var result = self
        result.enteredBySegment = Array(repeating: 0, count: newNames.count)
        result.exitedBySegment = Array(repeating: 0, count: newNames.count)
        result.membersBySegment = Array(repeating: 0, count: newNames.count)
        for (new, name) in newNames.enumerated() {
            guard let old = oldNames.firstIndex(of: name) else { continue }
            result.enteredBySegment[new] = enteredBySegment[old]
            result.exitedBySegment[new] = exitedBySegment[old]
            result.membersBySegment[new] = membersBySegment[old]
        }
        return result
    }
}

extension EngineStatistics {
    /// Rejections by reason name (the published spelling), in name order so the bytes do not
    /// depend on dictionary order.
    func encode(into writer: inout BinaryWriter) {
        writer.write(array: acceptedByKind.map(Int64.init))
        writer.write(list: rejectedByReason.sorted { $0.key < $1.key }) { writer, entry in
            writer.write(entry.key.rawValue)
            writer.write(int: entry.value)
        }
        for counts in [enteredBySegment, exitedBySegment, membersBySegment] { writer.write(array: counts.map(Int64.init)) }
        for count in [churnRiskAlerts, churnRecoveredAlerts, churnRefits, churnRefitFailures] { writer.write(int: count) }
    }

    init(decoding reader: inout BinaryReader, segmentCount: Int) throws(DurabilityError) {
        self.init(segmentCount: segmentCount)
        acceptedByKind = try reader.readColumn(of: Int64.self, count: EventKind.allCases.count, "accepted events by kind").map { Int($0) }
        let reasonsAt = reader.position
        let rejected = try reader.readList { reader throws(DurabilityError) in (name: try reader.readString(), count: try reader.readInt()) }
        for (name, count) in rejected {
            guard let reason = RejectReason(rawValue: name) else { throw reader.invalid("unknown reject reason \"\(name)\"", at: reasonsAt) }
            rejectedByReason[reason] = count
        }
        enteredBySegment = try reader.readColumn(of: Int64.self, count: segmentCount, "entries by segment").map { Int($0) }
        exitedBySegment = try reader.readColumn(of: Int64.self, count: segmentCount, "exits by segment").map { Int($0) }
        membersBySegment = try reader.readColumn(of: Int64.self, count: segmentCount, "members by segment").map { Int($0) }
        churnRiskAlerts = try reader.readInt()
        churnRecoveredAlerts = try reader.readInt()
        churnRefits = try reader.readInt()
        churnRefitFailures = try reader.readInt()
    }
}
