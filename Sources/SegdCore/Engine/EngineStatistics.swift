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
