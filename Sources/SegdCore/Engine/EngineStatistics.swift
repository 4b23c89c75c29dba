/// Counters of what the engine did: events accepted by kind, messages rejected by reason, alerts
/// by topic and current segment sizes. Kept by the engine's single writer; read for summaries and
/// metrics. Deterministic, so a replay's summary is the same every time.
public struct EngineStatistics: Sendable, Equatable {
    public var acceptedByKind: [Int] = Array(repeating: 0, count: EventKind.allCases.count)
    public var rejectedByReason: [RejectReason: Int] = [:]
    public var enteredBySegment: [Int]
    public var exitedBySegment: [Int]
    public var membersBySegment: [Int]

    public init(segmentCount: Int) {
        enteredBySegment = Array(repeating: 0, count: segmentCount)
        exitedBySegment = Array(repeating: 0, count: segmentCount)
        membersBySegment = Array(repeating: 0, count: segmentCount)
    }

    public var accepted: Int { acceptedByKind.reduce(0, +) }
    public var rejected: Int { rejectedByReason.values.reduce(0, +) }
    public var alerts: Int { enteredBySegment.reduce(0, +) + exitedBySegment.reduce(0, +) }
}
