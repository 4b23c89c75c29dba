/// What of one window's sums can change a rule's answer as buckets leave the window with no new
/// event, so that a customer is woken only when it can: for `clicks_7d >= 10`, when the clicks left
/// in the window fall to the constant, not whenever a bucket of a customer with three clicks leaves.
///
/// Sums only shrink as buckets leave, so a comparison of a sum with constants can change its answer
/// only where the sum falls to one of them. What is not a sum compared with constants is watched
/// more coarsely: a ratio or extreme changes only when the sum it is made of loses a part
/// (`avg_rating_7d` when a review leaves), a sum used in arithmetic whenever it falls, and
/// `active_days` with every bucket that leaves.
public struct WindowWatch: Sendable {
    /// A sum kept in every bucket.
    public enum Counter: Sendable, Equatable {
        case clicks, sessions, carts, orders, items, spend, reviews

        /// The windowed measure that is this sum.
        var measure: FeatureLayout.Measure {
            switch self {
            case .clicks: .clicks
            case .sessions: .sessions
            case .carts: .carts
            case .orders: .orders
            case .items: .items
            case .spend: .spend
            case .reviews: .reviews
            }
        }
    }

    /// A counter and the constants rules compare it with; nil when any fall matters.
    public struct Watched: Sendable {
        public let counter: Counter
        public let levels: [Double]?

        /// How far the counter must fall from `value` for a comparison to change its answer, or nil
        /// when no fall can: below `value` itself when any fall matters.
        func fall(from value: Double) -> FallBound? {
            guard value > 0 else { return nil }
            guard let levels else { return .below(value) }
            return FallBound.next(from: value, constants: levels)
        }
    }

    /// The window (an index into the layout's windows).
    public let window: Int
    /// Whether every bucket leaving the window can change an answer (a rule reads its `active_days`).
    public let everyBucket: Bool
    public let counters: [Watched]

    /// The watches of every window some rule reads, given each windowed slot's comparison
    /// constants (nil when a rule does arithmetic with it); slots of other windows are ignored.
    static func watches(reading slots: [(slot: Int, constants: [Double]?)], layout: FeatureLayout) -> [WindowWatch] {
        var byWindow: [Int: (everyBucket: Bool, counters: [(counter: Counter, levels: Set<Double>?)])] = [:]
        for (slot, constants) in slots {
            guard let window = layout.window(ofSlot: slot), let measure = FeatureLayout.Measure(rawValue: slot % FeatureLayout.Measure.allCases.count) else {
                continue
            }
            var watch = byWindow[window] ?? (false, [])
            for (counter, levels) in parts(of: measure, constants: constants) {
                if let existing = watch.counters.firstIndex(where: { $0.counter == counter }) {
                    let merged = watch.counters[existing].levels.flatMap { old in levels.map { old.union($0) } }
                    watch.counters[existing].levels = merged
                } else {
                    watch.counters.append((counter, levels))
                }
            }
            if measure == .activeDays { watch.everyBucket = true }
            byWindow[window] = watch
        }
        return byWindow.keys.sorted().map { window in
            let watch = byWindow[window]!
            return WindowWatch(
                window: window, everyBucket: watch.everyBucket,
                counters: watch.counters.map { Watched(counter: $0.counter, levels: $0.levels.map { $0.sorted() }) })
        }
    }

    /// The counters a measure is made of, each with the constants that matter (nil: any fall).
    private static func parts(of measure: FeatureLayout.Measure, constants: [Double]?) -> [(Counter, Set<Double>?)] {
        let levels = constants.map { Set($0.filter(\.isFinite)) }
        switch measure {
        case .clicks: return [(.clicks, levels)]
        case .sessions: return [(.sessions, levels)]
        case .carts: return [(.carts, levels)]
        case .orders: return [(.orders, levels)]
        case .items: return [(.items, levels)]
        case .spend: return [(.spend, levels)]
        case .reviews: return [(.reviews, levels)]
        case .avgRating, .minRating: return [(.reviews, nil)]
        case .aov: return [(.orders, nil)]
        case .conversion: return [(.orders, nil), (.clicks, nil)]
        case .activeDays: return []
        }
    }
}
