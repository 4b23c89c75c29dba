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

        public var summary: String {
            switch self {
            case .clicks: "click events of any action"
            case .sessions: "click sessions: a click 30 minutes or more after the customer's previous click starts one"
            case .carts: "clicks with action add_to_cart"
            case .orders: "orders"
            case .spend: "sum of order amounts, in major units of the engine currency"
            case .items: "sum of order items"
            case .reviews: "reviews"
            case .avgRating: "mean review rating (null without reviews)"
            case .minRating: "lowest review rating (null without reviews)"
            case .aov: "average order value, spend / orders (null without orders)"
            case .conversion: "orders / clicks (null without clicks)"
            case .activeDays: "distinct UTC days with any event"
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

        public var summary: String {
            switch self {
            case .daysSinceLastSeen: "whole days since the latest event (recency)"
            case .daysSinceLastOrder: "whole days since the latest order (null before the first)"
            case .daysSinceFirstOrder: "whole days since the first order (null before it)"
            case .tenureDays: "whole days since the customer was first seen"
            case .purchaseDays: "distinct UTC days with an order"
            case .interpurchaseDays: "mean days between purchase days: (last − first purchase day) / (purchase days − 1); null below two"
            case .lastGapDays: "days between the latest purchase day and the one before it; null below two purchase days"
            case .hoursSinceLastCart: "whole hours since the latest add_to_cart (null before the first)"
            case .cartOpen: "1 when the latest add_to_cart is later than the latest order, else 0"
            case .rScore: "RFM recency score 1…5 against buyer quintiles of days since the last order (5 = most recent); null for non-buyers"
            case .fScore: "RFM frequency score 1…5 against buyer quintiles of purchase days; null for non-buyers"
            case .mScore: "RFM monetary score 1…5 against buyer quintiles of lifetime spend; null for non-buyers"
            case .fmScore: "(f_score + m_score) / 2 rounded down, the FM axis of the RFM segment table"
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

    public let windows: [WindowSpec]
    /// Feature names in slot order.
    public let names: [String]
    /// Minor units per major unit of the engine currency (100 for cents).
    public let minorUnitsPerMajor: Double

    public init(windows: [WindowSpec], minorUnitsPerMajor: Int = 100) {
        self.windows = windows
        self.minorUnitsPerMajor = Double(minorUnitsPerMajor)
        var names: [String] = []
        for window in windows {
            for measure in Measure.allCases { names.append("\(measure.name)_\(window)") }
        }
        for measure in Measure.allCases { names.append("\(measure.name)_total") }
        for feature in HistoryFeature.allCases { names.append(feature.name) }
        self.names = names
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
