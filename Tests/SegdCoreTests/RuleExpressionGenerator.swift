import SegdCore

/// Builds random well-typed syntax trees over the fixture vocabulary, for property tests.
/// Constants and feature values come from small pools so that equality, `between` bounds,
/// division by zero and overflow to infinity all happen often.
struct RuleExpressionGenerator {
    var random: RuleTestRandom
    let features: [String]
    /// The segments a rule may refer to; with none, no rule refers to one.
    var segments: [String]

    static let constants: [Double] = [0, 1, 2, 3, 0.5, 2.5, 10, 500, 1e20]
    // NaN stands for a feature with no value (r_score before a first order), which every comparison but `!=` rejects.
    static let featureValues: [Double] = [0, 1, 2, 3, -1, -2.5, 0.5, 10, 500, 1e300, .nan, .infinity]

    private static let here = RuleLocation(line: 1, column: 1)

    private mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &random)] }

    mutating func condition(depth: Int) -> RuleExpression {
        let choice = depth == 0 ? Int.random(in: 0..<3, using: &random) : Int.random(in: 0..<10, using: &random)
        let node: RuleExpression.Node
        switch choice {
        case 0: node = .comparison(pick(ComparisonOperator.allCases), number(depth: max(depth - 1, 0)), number(depth: max(depth - 1, 0)))
        case 1 where !segments.isEmpty: node = .segment(pick(segments), nameLocation: Self.here)
        case 1, 2: node = .boolean(Int.random(in: 0..<4, using: &random) == 0)
        case 3: node = .not(condition(depth: depth - 1))
        case 4, 5: node = .and(condition(depth: depth - 1), condition(depth: depth - 1))
        case 6, 7: node = .or(condition(depth: depth - 1), condition(depth: depth - 1))
        case 8: node = .between(number(depth: depth - 1), lower: number(depth: depth - 1), upper: number(depth: depth - 1))
        default:
            let list = (0..<Int.random(in: 1...4, using: &random)).map { _ in pick(Self.constants) * pick([1, -1]) }
            node = .membership(number(depth: depth - 1), list, negated: Bool.random(using: &random))
        }
        return RuleExpression(node, at: Self.here)
    }

    mutating func number(depth: Int) -> RuleExpression {
        let choice = depth == 0 ? Int.random(in: 0..<2, using: &random) : Int.random(in: 0..<6, using: &random)
        let node: RuleExpression.Node
        switch choice {
        case 0: node = .feature(pick(features))
        case 1: node = .number(pick(Self.constants))
        case 2: node = .negate(number(depth: depth - 1))
        default: node = .arithmetic(pick(ArithmeticOperator.allCases), number(depth: depth - 1), number(depth: depth - 1))
        }
        return RuleExpression(node, at: Self.here)
    }

    mutating func featureValues() -> [String: Double] {
        Dictionary(uniqueKeysWithValues: features.map { ($0, pick(Self.featureValues)) })
    }

    mutating func members() -> Set<String> {
        Set(segments.filter { _ in Bool.random(using: &random) })
    }
}
