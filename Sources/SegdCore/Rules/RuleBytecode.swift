/// One step of a compiled rule. Numbers are computed on a small stack. Conditions are never
/// stored as values: they compile to conditional jumps ("jumping code"), so `and`/`or`
/// short-circuit by construction and `not` costs nothing. A conditional jump goes to `target`
/// when the condition it tests equals `when`, and falls through otherwise.
enum RuleInstruction: Sendable {
    case pushConstant(Double)
    case pushFeature(slot: Int)
    case negate
    case add, subtract, multiply, divide
    /// Pops `right`, then `left`, and tests `left op right`.
    case jumpIfComparison(ComparisonOperator, when: Bool, target: Int)
    /// `feature op constant` in one step, the shape most rules are made of; touches no stack.
    case jumpIfFeatureComparison(slot: Int, constant: Double, target: Int, ComparisonOperator, when: Bool)
    /// Pops `upper`, `lower`, `value` and tests `lower <= value <= upper`.
    case jumpIfBetween(when: Bool, target: Int)
    /// Pops `value` and tests whether it equals one of `constants[first ..< first + count]`.
    case jumpIfMember(first: Int, count: Int, when: Bool, target: Int)
    /// Tests bit `mask` of word `word` of the membership bitset.
    case jumpIfSegment(word: Int, mask: UInt64, when: Bool, target: Int)
    case jump(target: Int)
    case result(Bool)
}

/// A compiled rule: owns its instructions, the constant table its membership lists point into,
/// and the stack depth evaluation needs. Immutable once built, so it is shared freely.
struct RuleProgram: Sendable {
    let instructions: [RuleInstruction]
    let constants: [Double]
    let maximumStackDepth: Int
}
