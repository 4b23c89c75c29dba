/// Which features a computation writes: for an evaluation, those some rule reads (everything an
/// alert quotes is among them) and those the window watches start from; for a profile, all.
/// Slots not selected keep whatever they held.
public struct FeatureSelection: Sendable {
    /// The measures selected over one window.
    public struct Window: Sendable {
        /// The index into the layout's windows.
        public let window: Int
        public let measures: [FeatureLayout.Measure]
        /// Whether the two measures that are no running sum, and cost a walk over the window's
        /// buckets, are among them.
        public let minimumRating: Bool
        public let activeDays: Bool
    }

    /// The windows with a measure selected, ascending.
    public let windows: [Window]
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
            guard !selected.isEmpty else { return nil }
            return Window(window: window, measures: selected, minimumRating: selected.contains(.minRating), activeDays: selected.contains(.activeDays))
        }
        totals = measures.filter { slots.contains(layout.totalSlot($0)) }
        history = FeatureLayout.HistoryFeature.allCases.filter { slots.contains(layout.slot($0)) }
        expectedChurn = layout.churnHorizons != nil && slots.contains { $0 >= layout.slot(.expectedValue) }
    }
}
