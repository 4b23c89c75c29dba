/// A `churn.risk` or `churn.recovered` message (see `schemas/churn.schema.json`): the customer,
/// what crossed, the BG/NBD inputs (x, t_x, T in the model's unit), what is at stake and the
/// segments the customer is in after the change.
struct ChurnAlert {
    static let riskTopic: [UInt8] = Array("churn.risk".utf8)
    static let recoveredTopic: [UInt8] = Array("churn.recovered".utf8)

    var transition: ChurnTracker.Transition
    var threshold: Double
    var probabilityAlive: Double
    var previousProbabilityAlive: Double
    var summary: PurchaseSummary
    var ageDays: Double
    var unit: ChurnTimeUnit
    var valueAtRisk: Double?
    var daysSinceLastOrder: Double
    /// The one-time buyer's inactivity limit, for that reason only.
    var oneTimeBuyerDays: Double?

    var topic: [UInt8] {
        if case .risk = transition { return Self.riskTopic }
        return Self.recoveredTopic
    }

    /// Writes the fields after the common `seq`, `type`, customer, time and cause, which the
    /// engine writes as for segment alerts; `segments` writes the membership array.
    func encodeBody(into writer: inout JSONWriter, segments: (inout JSONWriter) -> Void) {
        writer.key("reason")
        switch transition {
        case .risk(let reason): writer.string(reason.rawValue)
        case .recovered: writer.string("p_alive_recovered")
        }
        writer.key("p_alive")
        writer.number(probabilityAlive)
        writer.key("previous_p_alive")
        writer.number(previousProbabilityAlive)
        writer.key("threshold")
        writer.number(threshold)
        if let oneTimeBuyerDays {
            writer.key("inactive_days_limit")
            writer.number(oneTimeBuyerDays)
        }
        writer.key("x")
        writer.integer(summary.repeatPurchases)
        writer.key("t_x")
        writer.number(Double(summary.recencyDays) / unit.days)
        writer.key("T")
        writer.number(ageDays / unit.days)
        writer.key("unit")
        writer.string(unit.rawValue)
        writer.key("expected_value_at_risk")
        if let valueAtRisk { writer.number(valueAtRisk) } else { writer.null() }
        writer.key("days_since_last_order")
        writer.number(daysSinceLastOrder)
        writer.key("segments")
        writer.beginArray()
        segments(&writer)
        writer.endArray()
    }
}
