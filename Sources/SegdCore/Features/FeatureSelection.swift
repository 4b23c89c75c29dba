/// Which features a computation writes: for an evaluation, those some rule reads (everything an
/// alert quotes is among them) and those the window watches start from; for a profile, all.
/// Slots not selected keep whatever they held.
public struct FeatureSelection: Sendable {
    /// Windows (indices into the layout's windows), ascending, each with the measures selected in it.
    public let windows: [(window: Int, measures: [FeatureLayout.Measure])]
    public let totals: [FeatureLayout.Measure]
    public let history: [FeatureLayout.HistoryFeature]
    /// Whether `expected_value` and the `expected_orders_<h>` are selected, which are costly
    /// enough to compute only then (P(alive) and `churn_risk` always are, with a churn model).
    public let expectedChurn: Bool

    /// Every feature of the layout.
    public init(all layout: FeatureLayout) {
        self.init(slots: Set(0..<layout.count), layout: layout)
    }

    /// The features at `slots` of `layout`.
    public init(slots: Set<Int>, layout: FeatureLayout) {
        let measures = FeatureLayout.Measure.allCases
        windows = layout.windows.indices.compactMap { window in
            let selected = measures.filter { slots.contains(layout.slot($0, window: window)) }
            return selected.isEmpty ? nil : (window, selected)
        }
        totals = measures.filter { slots.contains(layout.totalSlot($0)) }
        history = FeatureLayout.HistoryFeature.allCases.filter { slots.contains(layout.slot($0)) }
        expectedChurn = layout.churnHorizons != nil && slots.contains { $0 >= layout.slot(.expectedValue) }
    }
}
