/// Where a value that only falls between events — a window sum as buckets leave, P(alive) as time
/// passes — next changes the answer of a rule comparing it with constants: at the largest constant
/// not above it, which it must reach (≤), or drop below when it is already equal (<), since a
/// comparison with a constant changes its answer as soon as the value leaves it.
enum FallBound: Sendable, Equatable {
    case below(Double)
    case atOrBelow(Double)

    /// The bound for `value` falling past `constants` (in any order), or nil when no constant is at
    /// or below it.
    static func next(from value: Double, constants: [Double]) -> FallBound? {
        var largest: Double?
        for constant in constants where constant <= value { largest = max(largest ?? constant, constant) }
        guard let largest else { return nil }
        return largest == value ? .below(value) : .atOrBelow(largest)
    }

    /// The constant the value falls to.
    var constant: Double {
        switch self {
        case .below(let constant), .atOrBelow(let constant): constant
        }
    }

    func isReached(by value: Double) -> Bool {
        switch self {
        case .below(let bound): value < bound
        case .atOrBelow(let bound): value <= bound
        }
    }
}
