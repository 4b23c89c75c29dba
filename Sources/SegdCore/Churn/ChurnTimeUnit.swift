/// The unit the churn model measures recency, age and horizons in. A fitted model belongs to
/// one unit: α scales with it (α in days = 7 × α in weeks) while r, a and b do not.
public enum ChurnTimeUnit: String, Sendable, CaseIterable {
    case days
    /// Seven days; the unit of the BG/NBD paper's CDNOW results.
    case weeks

    /// How many days one unit spans.
    public var days: Double {
        switch self {
        case .days: 1
        case .weeks: 7
        }
    }
}
