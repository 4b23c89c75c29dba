/// The JSON summary `segd replay` and `segd demo` print: events accepted and rejected by reason,
/// alerts by topic, customers, and members per segment. Keys are sorted and nothing depends on the
/// wall clock, so the same input always prints the same summary.
public enum EngineSummary {
    public static func json(_ engine: SegmentEngine) -> String {
        let statistics = engine.statistics
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("events")
        writer.beginObject()
        writer.key("accepted")
        writer.integer(statistics.accepted)
        writer.key("accepted_by_topic")
        writer.beginObject()
        for kind in EventKind.allCases {
            writer.key(escaping: kind.topic)
            writer.integer(statistics.acceptedByKind[Int(kind.rawValue)])
        }
        writer.endObject()
        writer.key("rejected")
        writer.integer(statistics.rejected)
        writer.key("rejected_by_reason")
        writer.beginObject()
        for (reason, count) in statistics.rejectedByReason.sorted(by: { $0.key < $1.key }) {
            writer.key(escaping: reason.rawValue)
            writer.integer(count)
        }
        writer.endObject()
        writer.endObject()

        writer.key("alerts")
        writer.beginObject()
        var byTopic: [(String, Int)] = []
        for (index, segment) in engine.segments.enumerated() {
            byTopic.append(("segment.\(segment.name).enter", statistics.enteredBySegment[index]))
            byTopic.append(("segment.\(segment.name).exit", statistics.exitedBySegment[index]))
        }
        byTopic.append(("deadletter", statistics.rejected))
        if engine.configuration.churn != nil {
            byTopic.append(("churn.risk", statistics.churnRiskAlerts))
            byTopic.append(("churn.recovered", statistics.churnRecoveredAlerts))
        }
        writer.key("total")
        writer.integer(byTopic.reduce(0) { $0 + $1.1 })
        writer.key("by_topic")
        writer.beginObject()
        for (topic, count) in byTopic.sorted(by: { $0.0 < $1.0 }) {
            writer.key(escaping: topic)
            writer.integer(count)
        }
        writer.endObject()
        writer.endObject()

        writer.key("customers")
        writer.integer(engine.store.count)
        writer.key("segments")
        writer.beginObject()
        for (index, segment) in engine.segments.enumerated().sorted(by: { $0.element.name < $1.element.name }) {
            writer.key(escaping: segment.name)
            writer.integer(statistics.membersBySegment[index])
        }
        writer.endObject()
        writer.key("last_seq")
        writer.integer(Int64(engine.nextSeq - 1))
        writer.key("clock")
        if engine.clock == .min { writer.null() } else { writer.timestamp(engine.clock) }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
