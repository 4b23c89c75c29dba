/// `+ - * /` in a rule.
public enum ArithmeticOperator: Sendable, Hashable, CaseIterable {
    case add, subtract, multiply, divide

    public var symbol: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        }
    }
}

/// `< <= > >= == !=` in a rule. They compare numbers only and do not chain.
public enum ComparisonOperator: Sendable, Hashable, CaseIterable {
    case less, lessOrEqual, greater, greaterOrEqual, equal, notEqual

    public var symbol: String {
        switch self {
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        case .equal: "=="
        case .notEqual: "!="
        }
    }
}

/// A parsed rule before names are resolved or types checked: the syntax tree exactly as written,
/// with the location of each node's first token for error messages. Owns its children by value.
/// `description` prints it in canonical form (one space around binary operators, only the
/// parentheses the tree needs), which parses back to the same tree.
public struct RuleExpression: Sendable, CustomStringConvertible {
    public indirect enum Node: Sendable {
        case number(Double)
        case boolean(Bool)
        case feature(String)
        /// `segment(name)`; the location is the name's, which is what an unknown-name error points at.
        case segment(String, nameLocation: RuleLocation)
        case negate(RuleExpression)
        case arithmetic(ArithmeticOperator, RuleExpression, RuleExpression)
        case comparison(ComparisonOperator, RuleExpression, RuleExpression)
        /// Inclusive at both ends.
        case between(RuleExpression, lower: RuleExpression, upper: RuleExpression)
        /// `x in [...]`, or `x not in [...]` when negated. Lists hold literals only, so membership
        /// compiles to a scan of a constant table.
        case membership(RuleExpression, [Double], negated: Bool)
        case not(RuleExpression)
        case and(RuleExpression, RuleExpression)
        case or(RuleExpression, RuleExpression)
    }

    public let node: Node
    public let location: RuleLocation
    /// Levels of nesting below and including this node; the parser bounds it so that the
    /// recursive passes over the tree cannot exhaust a thread's stack.
    let height: Int

    public init(_ node: Node, at location: RuleLocation) {
        self.node = node
        self.location = location
        height = 1 + node.children.map(\.height).reduce(0, max)
    }

    public var description: String { render(self) }
}

extension RuleExpression.Node {
    var children: [RuleExpression] {
        switch self {
        case .number, .boolean, .feature, .segment: []
        case .negate(let operand), .not(let operand), .membership(let operand, _, _): [operand]
        case .arithmetic(_, let left, let right), .comparison(_, let left, let right),
            .and(let left, let right), .or(let left, let right):
            [left, right]
        case .between(let value, let lower, let upper): [value, lower, upper]
        }
    }
}

/// Binding strength, loosest first, matching the parser's grammar levels.
private enum Precedence: Int, Comparable {
    case or = 1, and, not, comparison, additive, multiplicative, unary, atom

    static func < (lhs: Precedence, rhs: Precedence) -> Bool { lhs.rawValue < rhs.rawValue }
}

private func precedence(of node: RuleExpression.Node) -> Precedence {
    switch node {
    case .number, .boolean, .feature, .segment: .atom
    case .negate: .unary
    case .arithmetic(let op, _, _): op == .add || op == .subtract ? .additive : .multiplicative
    case .comparison, .between, .membership: .comparison
    case .not: .not
    case .and: .and
    case .or: .or
    }
}

/// Prints `expression`, parenthesized when it binds more loosely than its position requires.
/// Binary operators are left-associative, so a right operand of equal precedence needs parentheses.
private func render(_ expression: RuleExpression, atLeast minimum: Precedence = .or) -> String {
    let text: String
    switch expression.node {
    case .number(let value): text = canonicalNumber(value)
    case .boolean(let value): text = value ? "true" : "false"
    case .feature(let name): text = name
    case .segment(let name, _): text = "segment(\(name))"
    case .negate(let operand): text = "-" + render(operand, atLeast: .unary)
    case .arithmetic(let op, let left, let right):
        let additive = op == .add || op == .subtract
        let (level, rightLevel): (Precedence, Precedence) = additive ? (.additive, .multiplicative) : (.multiplicative, .unary)
        text = "\(render(left, atLeast: level)) \(op.symbol) \(render(right, atLeast: rightLevel))"
    case .comparison(let op, let left, let right):
        text = "\(render(left, atLeast: .additive)) \(op.symbol) \(render(right, atLeast: .additive))"
    case .between(let value, let lower, let upper):
        text = "\(render(value, atLeast: .additive)) between \(render(lower, atLeast: .additive)) and \(render(upper, atLeast: .additive))"
    case .membership(let value, let list, let negated):
        text = "\(render(value, atLeast: .additive)) \(negated ? "not in" : "in") [\(list.map(canonicalNumber).joined(separator: ", "))]"
    case .not(let operand): text = "not " + render(operand, atLeast: .not)
    case .and(let left, let right): text = "\(render(left, atLeast: .and)) and \(render(right, atLeast: .not))"
    case .or(let left, let right): text = "\(render(left, atLeast: .or)) or \(render(right, atLeast: .and))"
    }
    return precedence(of: expression.node) < minimum ? "(\(text))" : text
}

/// Whole numbers print without a fraction (`3`, not `3.0`); everything else uses Swift's shortest
/// round-tripping form (`0.5`, `1e+20`), which the lexer reads back to the same value.
func canonicalNumber(_ value: Double) -> String {
    // Truncating conversion rather than `rounded()`, which would make SegdCore need libm.
    if abs(value) < 0x1p53, Double(Int64(value)) == value {
        return String(Int64(value))
    }
    return value.description
}
