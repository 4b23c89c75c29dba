/// A numeric subexpression after type checking: names resolved to feature slots. Being a separate
/// type from ``RuleCondition`` makes an ill-typed tree unrepresentable, so the compiler has no
/// error cases.
indirect enum RuleNumericTerm: Sendable {
    case constant(Double)
    case feature(slot: Int)
    case negate(RuleNumericTerm)
    case arithmetic(ArithmeticOperator, RuleNumericTerm, RuleNumericTerm)
}

/// A boolean subexpression after type checking: segment names resolved to indices, and
/// `x not in [...]` lowered to `not (x in [...])`.
indirect enum RuleCondition: Sendable {
    case constant(Bool)
    case segment(index: Int)
    case not(RuleCondition)
    case and(RuleCondition, RuleCondition)
    case or(RuleCondition, RuleCondition)
    case comparison(ComparisonOperator, RuleNumericTerm, RuleNumericTerm)
    case between(RuleNumericTerm, lower: RuleNumericTerm, upper: RuleNumericTerm)
    case membership(RuleNumericTerm, [Double])
}
