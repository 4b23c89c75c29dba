import SegdDurability

/// The engine's churn side: computes the churn features of a customer from their profile and
/// the model, decides when a customer enters or leaves the churn-risk state, and tells when that
/// state or a rule comparing a churn feature can next change without an event, so the engine
/// can set one timer at that instant instead of scanning customers.
///
/// A repeat buyer (x ≥ 1) enters the risk state when P(alive) falls below the threshold, at the
/// instant the closed form gives; a one-time buyer (x = 0), about whom BG/NBD says nothing, when
/// their age reaches ``ChurnModel/oneTimeBuyerDays``. Either leaves it when a purchase lifts
/// P(alive) to threshold + hysteresis or above. P(alive) only rises with a purchase, so a risk
/// alert is published once per crossing.
struct ChurnTracker: Sendable {
    /// A change of a customer's churn-risk state.
    enum Transition: Equatable {
        case risk(RiskReason)
        case recovered
    }

    enum RiskReason: String {
        case probabilityAlive = "p_alive_below_threshold"
        case oneTimeBuyerInactive = "one_time_buyer_inactive"
    }

    let settings: ChurnSettings
    private(set) var model: ChurnModel?
    /// Each horizon in the model's unit, so a feature needs no conversion per evaluation.
    private var horizonsInUnit: [Double] = []

    init(settings: ChurnSettings) {
        self.settings = settings
        install(settings.model)
    }

    /// The horizon of `expected_value` and the value at risk, in the model's unit: the first one.
    var valueHorizon: Double { horizonsInUnit[0] }

    mutating func install(_ model: ChurnModel?) {
        self.model = model
        horizonsInUnit = settings.horizons.map { horizon in
            Double(horizon.unit.milliseconds * Int64(horizon.length)) / Double(EventTime.millisecondsPerDay) / (model?.unit.days ?? 1)
        }
    }

    /// Writes the churn features of `profile` at `time`: `p_alive` (NaN for a one-time buyer),
    /// `churn_risk` (the state before this evaluation's transition), and, when `expected` is set,
    /// the expected purchases per horizon and `expected_value` — a hypergeometric series each,
    /// which the per-event path skips when no rule reads them. All NaN for a customer who never
    /// bought or without a model.
    func writeFeatures(_ profile: CustomerProfile, at time: Int64, layout: FeatureLayout, expected: Bool, into features: UnsafeMutableBufferPointer<Double>) {
        let summary = profile.purchaseSummary
        guard let model, summary.purchaseDays > 0 else {
            for slot in layout.slot(.pAlive)..<layout.count { features[slot] = .nan }
            return
        }
        let age = summary.ageDays(at: time)
        features[layout.slot(.pAlive)] = summary.repeatPurchases > 0 ? model.probabilityAlive(summary, ageDays: age) : .nan
        features[layout.slot(.churnRisk)] = profile.churnRisk ? 1 : 0
        guard expected else { return }
        for (index, horizon) in horizonsInUnit.enumerated() {
            features[layout.expectedOrdersSlot(horizon: index)] = model.expectedPurchases(summary, ageDays: age, horizon: horizon)
        }
        let orderValue = model.expectedOrderValue(summary)
        features[layout.slot(.expectedValue)] = orderValue.map { $0 * features[layout.expectedOrdersSlot(horizon: 0)] } ?? .nan
    }

    /// The state change due at `time` for a customer whose P(alive), as ``writeFeatures(_:at:layout:expected:into:)``
    /// just wrote it, is `pAlive`.
    func transition(_ profile: CustomerProfile, probabilityAlive pAlive: Double, at time: Int64) -> Transition? {
        guard let model, profile.firstOrder != .min else { return nil }
        if profile.churnRisk {
            return pAlive >= settings.threshold + settings.hysteresis ? .recovered : nil
        }
        if pAlive < settings.threshold { return .risk(.probabilityAlive) }
        if let due = model.oneTimeBuyerInactiveTime(for: profile.purchaseSummary), time >= due {
            return .risk(.oneTimeBuyerInactive)
        }
        return nil
    }

    /// The earliest instant after `time` at which the customer's risk state, or the answer of a
    /// rule comparing a churn feature that falls with time, can change with no purchase.
    /// `comparisons` are the decaying churn slots rules read, each with the constants they are
    /// compared with (nil when a rule does arithmetic with it; such a customer is woken at the
    /// start of each UTC day). Instants at or after `bound`, when given, are not returned (nor
    /// searched for).
    func nextChange(_ profile: CustomerProfile, after time: Int64, before bound: Int64? = nil, layout: FeatureLayout, comparisons: [(slot: Int, constants: [Double]?)]) -> Int64? {
        guard let model, profile.firstOrder != .min else { return nil }
        let summary = profile.purchaseSummary
        var earliest: Int64?
        func consider(_ instant: Int64?) {
            guard let instant, instant > time, bound.map({ instant < $0 }) ?? true else { return }
            earliest = min(earliest ?? instant, instant)
        }
        if !profile.churnRisk {
            if summary.repeatPurchases > 0 {
                let hint = model.probabilityAliveCrossingTime(for: summary, threshold: settings.threshold)
                consider(Self.firstInstant(after: time, before: bound, hint: hint) { model.probabilityAlive(summary, ageDays: summary.ageDays(at: $0)) < settings.threshold })
            } else {
                consider(model.oneTimeBuyerInactiveTime(for: summary))
            }
        }
        for (slot, constants) in comparisons {
            guard let value = value(ofSlot: slot, summary, model: model, at: time, layout: layout), !value.isNaN else { continue }
            guard let constants else {
                consider((EventTime.day(time) + 1) * EventTime.millisecondsPerDay)
                continue
            }
            // The value only falls with time.
            guard let fall = FallBound.next(from: value, constants: constants) else { continue }
            let hint = slot == layout.slot(.pAlive) ? model.probabilityAliveCrossingTime(for: summary, threshold: fall.constant) : nil
            consider(Self.firstInstant(after: time, before: bound, hint: hint) { instant in
                guard let later = self.value(ofSlot: slot, summary, model: model, at: instant, layout: layout) else { return false }
                return fall.isReached(by: later)
            })
        }
        return earliest
    }

    /// The value of a decaying churn slot at `time`, the same computation as ``writeFeatures``.
    private func value(ofSlot slot: Int, _ summary: PurchaseSummary, model: ChurnModel, at time: Int64, layout: FeatureLayout) -> Double? {
        let age = summary.ageDays(at: time)
        if slot == layout.slot(.pAlive) {
            return summary.repeatPurchases > 0 ? model.probabilityAlive(summary, ageDays: age) : nil
        }
        if slot == layout.slot(.expectedValue) {
            return model.expectedOrderValue(summary).map { $0 * model.expectedPurchases(summary, ageDays: age, horizon: horizonsInUnit[0]) }
        }
        return model.expectedPurchases(summary, ageDays: age, horizon: horizonsInUnit[slot - layout.expectedOrdersSlot(horizon: 0)])
    }

    /// The first millisecond after `time` at which `holds` is true, for a predicate that is false
    /// at `time` and, once true, stays true; nil if it never holds before year 9999. `hint` is a
    /// closed-form guess: the search checks around it first, so with a good guess it costs a
    /// couple of evaluations, and it gallops outward and bisects otherwise. Searching on the same
    /// function the features use keeps timer and feature in agreement to the millisecond, whatever
    /// the rounding of the closed form. With a `bound`, an instant at or after it is not searched
    /// for: one test at the bound answers nil when the predicate does not hold before it.
    static func firstInstant(after time: Int64, before bound: Int64? = nil, hint: Int64?, _ holds: (Int64) -> Bool) -> Int64? {
        if let bound, bound <= time + 1 || !holds(bound - 1) { return nil }
        let limit = EventField.maxEpochMilliseconds
        let start = min(max(hint ?? time + 1, time + 1), limit)
        var below = time
        var above: Int64
        if holds(start) {
            above = start
            var step: Int64 = 1
            while above - step > time, holds(above - step) {
                above -= step
                step *= 2
            }
            below = max(time, above - step)
        } else {
            below = start
            var step: Int64 = 1
            while true {
                guard below < limit else { return nil }
                let probe = below > limit - step ? limit : below + step
                if holds(probe) {
                    above = probe
                    break
                }
                below = probe
                step *= 2
            }
        }
        while above - below > 1 {
            let middle = below + (above - below) / 2
            if holds(middle) { above = middle } else { below = middle }
        }
        return above
    }
}

extension ChurnTracker {
    /// The model in force, which a refit may have changed from the configured one; the settings
    /// come from the configuration.
    func encode(into writer: inout BinaryWriter) {
        writer.write(optional: model) { writer, model in model.encode(into: &writer) }
    }

    init(settings: ChurnSettings, decoding reader: inout BinaryReader) throws(DurabilityError) {
        self.settings = settings
        install(try reader.readOptional { reader throws(DurabilityError) in try ChurnModel(decoding: &reader) })
    }
}
