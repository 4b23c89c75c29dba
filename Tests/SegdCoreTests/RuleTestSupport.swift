import SegdCore

/// The vocabulary every rule test compiles against.
enum RuleFixtures {
    static let catalog = FeatureCatalog([
        "orders_30d", "orders_90d", "spend_30d", "spend_90d", "sessions_7d", "days_since_order", "rating_avg",
    ])
    static let segments = ["vip", "frequent_buyer", "churned", "at_risk"]

    static func compile(_ text: String) throws(RuleError) -> CompiledRule {
        try RuleCompiler.compile(text, features: catalog, segments: segments)
    }

    /// A feature vector with every feature 0 except those named.
    static func features(_ values: [String: Double]) -> [Double] {
        var vector = [Double](repeating: 0, count: catalog.count)
        for (name, value) in values { vector[catalog.slot(of: name)!] = value }
        return vector
    }

    /// A one-word membership bitset with the named segments set.
    static func memberships(_ names: Set<String>) -> [UInt64] {
        var word: UInt64 = 0
        for (index, name) in segments.enumerated() where names.contains(name) { word |= 1 << UInt64(index) }
        return [word]
    }
}

extension CompiledRule {
    func evaluate(_ features: [Double], _ memberships: [UInt64]) -> Bool {
        features.withUnsafeBufferPointer { f in
            memberships.withUnsafeBufferPointer { m in evaluate(features: f, memberships: m) }
        }
    }
}

extension RuleExpression {
    /// Fully parenthesized prefix form, which shows the tree's shape where `description` hides it.
    var tree: String {
        switch node {
        case .number, .boolean, .feature, .segment: description
        case .negate(let operand): "(neg \(operand.tree))"
        case .arithmetic(let op, let left, let right): "(\(op.symbol) \(left.tree) \(right.tree))"
        case .comparison(let op, let left, let right): "(\(op.symbol) \(left.tree) \(right.tree))"
        case .between(let value, let lower, let upper): "(between \(value.tree) \(lower.tree) \(upper.tree))"
        case .membership(let value, let list, let negated):
            "(\(negated ? "not-in" : "in") \(value.tree) [\(list.map { RuleExpression(.number($0), at: location).description }.joined(separator: " "))])"
        case .not(let operand): "(not \(operand.tree))"
        case .and(let left, let right): "(and \(left.tree) \(right.tree))"
        case .or(let left, let right): "(or \(left.tree) \(right.tree))"
        }
    }
}
