import SegdCore

/// The obvious meaning of a rule, read straight off the syntax tree with names looked up in
/// dictionaries: the oracle the compiled evaluator is compared against. Deliberately shares no
/// code with the compiler or evaluator.
struct RuleReferenceInterpreter {
    let features: [String: Double]
    let members: Set<String>

    func truth(_ expression: RuleExpression) -> Bool {
        switch expression.node {
        case .boolean(let value): value
        case .segment(let name, _): members.contains(name)
        case .not(let operand): !truth(operand)
        case .and(let left, let right): truth(left) && truth(right)
        case .or(let left, let right): truth(left) || truth(right)
        case .comparison(let op, let left, let right): compare(op, value(left), value(right))
        case .between(let x, let lower, let upper):
            value(lower) <= value(x) && value(x) <= value(upper)
        case .membership(let x, let list, let negated): list.contains(value(x)) != negated
        case .number, .feature, .negate, .arithmetic: preconditionFailure("not a condition: \(expression)")
        }
    }

    func value(_ expression: RuleExpression) -> Double {
        switch expression.node {
        case .number(let value): value
        case .feature(let name): features[name]!
        case .negate(let operand): -value(operand)
        case .arithmetic(let op, let left, let right):
            switch op {
            case .add: value(left) + value(right)
            case .subtract: value(left) - value(right)
            case .multiply: value(left) * value(right)
            case .divide: value(right) == 0 ? 0 : value(left) / value(right)
            }
        case .boolean, .segment, .not, .and, .or, .comparison, .between, .membership:
            preconditionFailure("not a number: \(expression)")
        }
    }

    private func compare(_ op: ComparisonOperator, _ left: Double, _ right: Double) -> Bool {
        switch op {
        case .less: left < right
        case .lessOrEqual: left <= right
        case .greater: left > right
        case .greaterOrEqual: left >= right
        case .equal: left == right
        case .notEqual: left != right
        }
    }
}
