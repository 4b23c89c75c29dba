/// The features a customer has, by name and slot: `<measure>_<window>` for every configured window,
/// `<measure>_total` for lifetime values, and the history features that grow with time
/// (`days_since_last_order`, `tenure_days`, …). The engine computes them into a `[Double]` indexed
/// by slot; compiled rules read slots, never names.
///
/// Money features are in major units (spend 12.34 for 1234 cents) but are derived from integer
/// sums, so a threshold never flips with summation order. A ratio, average or minimum of nothing is
/// NaN, which no comparison but `!=` matches and which outbound messages write as `null`.
public struct FeatureLayout: Sendable {
    /// What is summed over a window or a lifetime.
    public enum Measure: Int, Sendable, CaseIterable {
        case clicks, sessions, carts, orders, spend, items, reviews, avgRating, minRating, aov, conversion, activeDays

        public var name: String {
            switch self {
            case .clicks: "clicks"
            case .sessions: "sessions"
            case .carts: "carts"
            case .orders: "orders"
            case .spend: "spend"
            case .items: "items"
            case .reviews: "reviews"
            case .avgRating: "avg_rating"
            case .minRating: "min_rating"
            case .aov: "aov"
            case .conversion: "conversion"
            case .activeDays: "active_days"
            }
        }
    }

    /// Features of a customer's history as a whole. The `days_*` and `tenure_days` features are
    /// whole days (rounded down) between an anchor instant and the evaluation time, so they grow by
    /// one every 24 hours after their anchor without any event.
    public enum HistoryFeature: Int, Sendable, CaseIterable {
        case daysSinceLastSeen, daysSinceLastOrder, daysSinceFirstOrder, tenureDays, purchaseDays, interpurchaseDays
        case lastGapDays, hoursSinceLastCart, cartOpen
        case rScore, fScore, mScore, fmScore

        public var name: String {
            switch self {
            case .daysSinceLastSeen: "days_since_last_seen"
            case .daysSinceLastOrder: "days_since_last_order"
            case .daysSinceFirstOrder: "days_since_first_order"
            case .tenureDays: "tenure_days"
            case .purchaseDays: "purchase_days_total"
            case .interpurchaseDays: "interpurchase_days"
            case .lastGapDays: "last_gap_days"
            case .hoursSinceLastCart: "hours_since_last_cart"
            case .cartOpen: "cart_open"
            case .rScore: "r_score"
            case .fScore: "f_score"
            case .mScore: "m_score"
            case .fmScore: "fm_score"
            }
        }

        /// For a value that grows with time between events (and so can change a rule by itself),
        /// the length of one step: it grows by one every `growthStep` milliseconds after its anchor.
        public var growthStep: Int64? {
            switch self {
            case .daysSinceLastSeen, .daysSinceLastOrder, .daysSinceFirstOrder, .tenureDays: EventTime.millisecondsPerDay
            case .hoursSinceLastCart: EventTime.millisecondsPerHour
            case .purchaseDays, .interpurchaseDays, .lastGapDays, .cartOpen, .rScore, .fScore, .mScore, .fmScore: nil
            }
        }
    }

    /// The churn model's features, present when a `[churn]` section is configured: P(alive),
    /// the alert state, the expected value, and expected purchases over each horizon
    /// (`expected_orders_<horizon>`), which follow in ``churnHorizons`` order.
    public enum ChurnFeature: Int, Sendable, CaseIterable {
        case pAlive, churnRisk, expectedValue

        public var name: String {
            switch self {
            case .pAlive: "p_alive"
            case .churnRisk: "churn_risk"
            case .expectedValue: "expected_value"
            }
        }
    }

    public let windows: [WindowSpec]
    /// Horizons of the `expected_orders_<horizon>` features; nil without a churn model, when
    /// no churn feature exists.
    public let churnHorizons: [WindowSpec]?
    /// Feature names in slot order.
    public let names: [String]
    /// The names as JSON strings, for the features alerts quote.
    public let encodedNames: [[UInt8]]
    /// Minor units per major unit of the engine currency (100 for cents).
    public let minorUnitsPerMajor: Double

    public init(windows: [WindowSpec], churnHorizons: [WindowSpec]? = nil, minorUnitsPerMajor: Int = 100) {
        self.windows = windows
        self.churnHorizons = churnHorizons
        self.minorUnitsPerMajor = Double(minorUnitsPerMajor)
        var names: [String] = []
        for window in windows {
            for measure in Measure.allCases { names.append("\(measure.name)_\(window)") }
        }
        for measure in Measure.allCases { names.append("\(measure.name)_total") }
        for feature in HistoryFeature.allCases { names.append(feature.name) }
        if let churnHorizons {
            for feature in ChurnFeature.allCases { names.append(feature.name) }
            for horizon in churnHorizons { names.append("expected_orders_\(horizon)") }
        }
        self.names = names
        encodedNames = names.map(JSONWriter.encoded)
    }

    public var count: Int { names.count }

    @inlinable
    public func slot(_ measure: Measure, window: Int) -> Int {
        window * Measure.allCases.count + measure.rawValue
    }

    @inlinable
    public func totalSlot(_ measure: Measure) -> Int {
        windows.count * Measure.allCases.count + measure.rawValue
    }

    @inlinable
    public func slot(_ feature: HistoryFeature) -> Int {
        (windows.count + 1) * Measure.allCases.count + feature.rawValue
    }

    /// The slot of a churn feature; only with a churn model.
    @inlinable
    public func slot(_ feature: ChurnFeature) -> Int {
        (windows.count + 1) * Measure.allCases.count + HistoryFeature.allCases.count + feature.rawValue
    }

    /// The slot of `expected_orders_<horizon>` for the horizon at `index` of ``churnHorizons``.
    @inlinable
    public func expectedOrdersSlot(horizon index: Int) -> Int {
        slot(.expectedValue) + 1 + index
    }

    /// The churn features whose value falls with time between purchases — P(alive), expected
    /// orders and expected value — at `slot`, if it is one (`churn_risk` changes only when a
    /// churn alert is due, which the engine schedules anyway).
    public func isDecayingChurnSlot(_ slot: Int) -> Bool {
        guard churnHorizons != nil, slot >= self.slot(.pAlive) else { return false }
        return slot != self.slot(.churnRisk)
    }

    /// Every value other than NaN that the feature at `slot` can take, when they are a few: the
    /// RFM scores (1–5) and the 0/1 flags. Nil for any other feature.
    public func discreteValues(ofSlot slot: Int) -> [Double]? {
        switch historyFeature(ofSlot: slot) {
        case .rScore, .fScore, .mScore, .fmScore: return [1, 2, 3, 4, 5]
        case .cartOpen: return [0, 1]
        case .some: return nil
        case nil: return churnHorizons != nil && slot == self.slot(.churnRisk) ? [0, 1] : nil
        }
    }

    /// The slot of `name`, or nil if there is no such feature.
    public func slot(named name: String) -> Int? { names.firstIndex(of: name) }

    /// The window (index into ``windows``) a slot belongs to, or nil for lifetime and history features.
    public func window(ofSlot slot: Int) -> Int? {
        let window = slot / Measure.allCases.count
        return window < windows.count ? window : nil
    }

    /// The history feature at `slot`, if it is one.
    public func historyFeature(ofSlot slot: Int) -> HistoryFeature? {
        let base = (windows.count + 1) * Measure.allCases.count
        return slot >= base ? HistoryFeature(rawValue: slot - base) : nil
    }
}
