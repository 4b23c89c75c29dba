/// The features a customer has, by name and slot: `<measure>_<window>` for every configured window
/// and `<measure>_total` for lifetime values. The engine computes them into a `[Double]` indexed by
/// slot; compiled rules read slots, never names.
///
/// Money features are in major units (spend 12.34 for 1234 cents) but are derived from integer
/// sums, so a threshold never flips with summation order. Averages and minimums of an empty set
/// are NaN, which no comparison matches and which outbound messages write as `null`.
public struct FeatureLayout: Sendable {
    /// What is summed over a window or a lifetime.
    public enum Measure: Int, Sendable, CaseIterable {
        case clicks, carts, orders, spend, items, reviews, avgRating, minRating

        public var name: String {
            switch self {
            case .clicks: "clicks"
            case .carts: "carts"
            case .orders: "orders"
            case .spend: "spend"
            case .items: "items"
            case .reviews: "reviews"
            case .avgRating: "avg_rating"
            case .minRating: "min_rating"
            }
        }

        public var summary: String {
            switch self {
            case .clicks: "click events of any action"
            case .carts: "clicks with action add_to_cart"
            case .orders: "orders"
            case .spend: "sum of order amounts, in major units of the engine currency"
            case .items: "sum of order items"
            case .reviews: "reviews"
            case .avgRating: "mean review rating (null without reviews)"
            case .minRating: "lowest review rating (null without reviews)"
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

    /// The slot of `name`, or nil if there is no such feature.
    public func slot(named name: String) -> Int? { names.firstIndex(of: name) }

    /// The window (index into ``windows``) a slot belongs to, or nil for lifetime features.
    public func window(ofSlot slot: Int) -> Int? {
        let window = slot / Measure.allCases.count
        return window < windows.count ? window : nil
    }
}
