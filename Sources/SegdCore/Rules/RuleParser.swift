extension RuleExpression {
    /// Parses one rule. Names are not resolved and types are not checked here: that needs a
    /// ``FeatureCatalog`` and the segment list, see ``RuleCompiler``.
    public init(parsing text: String) throws(RuleError) {
        var parser = RuleParser(tokens: try RuleLexer.tokens(of: text))
        self = try parser.parseRule()
    }
}

/// Recursive descent over the grammar below, loosest binding first. Owns the token list and the
/// cursor of a single parse.
///
///     rule           = or END
///     or             = and ("or" and)*
///     and            = not ("and" not)*
///     not            = "not" not | comparison
///     comparison     = additive [ compare-op additive | "between" additive "and" additive
///                                | ["not"] "in" "[" ["-"] NUMBER ("," ["-"] NUMBER)* "]" ]
///     additive       = multiplicative (("+" | "-") multiplicative)*
///     multiplicative = unary (("*" | "/") unary)*
///     unary          = "-" unary | primary
///     primary        = NUMBER | NAME | "true" | "false" | "segment" "(" NAME ")" | "(" or ")"
///
/// The bounds of `between` are additive expressions, which cannot contain `and`, so the `and`
/// that separates them is never mistaken for the boolean operator.
struct RuleParser {
    /// Deep enough for any rule a person writes, shallow enough that every recursive pass over
    /// the tree stays far from the end of a worker thread's stack.
    static let maximumNesting = 100

    private let tokens: [RuleToken]
    private var position = 0
    private var nesting = 0

    init(tokens: [RuleToken]) { self.tokens = tokens }

    mutating func parseRule() throws(RuleError) -> RuleExpression {
        let expression = try parseOr()
        switch current.kind {
        case .end:
            return expression
        case .rightParenthesis:
            throw RuleError(at: current.location, token: current.text, #"unbalanced ")": there is no "(" to close"#)
        default:
            throw expected("an operator or the end of the rule")
        }
    }

    private var current: RuleToken { tokens[position] }

    @discardableResult
    private mutating func advance() -> RuleToken {
        let token = tokens[position]
        position += 1
        return token
    }

    private func expected(_ what: String) -> RuleError {
        let token = current
        if token.kind == .end {
            return RuleError(at: token.location, token: "", "unexpected end of rule, expected \(what)")
        }
        return RuleError(at: token.location, token: token.text, "expected \(what), found \"\(token.text)\"")
    }

    private func tooDeep(at token: RuleToken) -> RuleError {
        RuleError(at: token.location, token: token.text, "rule is nested too deeply (more than \(Self.maximumNesting) levels)")
    }

    /// Called before each recursive descent into a prefix operator or parenthesis, which is
    /// where unbounded input would otherwise turn into unbounded recursion.
    private mutating func enter(_ token: RuleToken) throws(RuleError) {
        guard nesting < Self.maximumNesting else { throw tooDeep(at: token) }
        nesting += 1
    }

    /// Chains like `a + b + c + ...` grow the tree without recursing in the parser, so the
    /// height is checked as each node is built.
    private func make(_ node: RuleExpression.Node, at location: RuleLocation) throws(RuleError) -> RuleExpression {
        let expression = RuleExpression(node, at: location)
        guard expression.height <= Self.maximumNesting else { throw tooDeep(at: current) }
        return expression
    }

    private mutating func parseOr() throws(RuleError) -> RuleExpression {
        var left = try parseAnd()
        while current.kind == .orKeyword {
            advance()
            let right = try parseAnd()
            left = try make(.or(left, right), at: left.location)
        }
        return left
    }

    private mutating func parseAnd() throws(RuleError) -> RuleExpression {
        var left = try parseNot()
        while current.kind == .andKeyword {
            advance()
            let right = try parseNot()
            left = try make(.and(left, right), at: left.location)
        }
        return left
    }

    private mutating func parseNot() throws(RuleError) -> RuleExpression {
        guard current.kind == .notKeyword else { return try parseComparison() }
        let token = advance()
        try enter(token)
        defer { nesting -= 1 }
        let operand = try parseNot()
        return try make(.not(operand), at: token.location)
    }

    private mutating func parseComparison() throws(RuleError) -> RuleExpression {
        let left = try parseAdditive()
        guard let comparison = try parseComparisonTail(after: left) else { return left }
        if startsComparisonTail {
            throw chainedComparison(after: comparison)
        }
        return comparison
    }

    private var startsComparisonTail: Bool {
        switch current.kind {
        case .betweenKeyword, .inKeyword: true
        case .notKeyword: tokens[position + 1].kind == .inKeyword
        default: Self.comparisonOperator(current.kind) != nil
        }
    }

    private static func comparisonOperator(_ kind: RuleToken.Kind) -> ComparisonOperator? {
        switch kind {
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        case .equal: .equal
        case .notEqual: .notEqual
        default: nil
        }
    }

    private mutating func parseComparisonTail(after left: RuleExpression) throws(RuleError) -> RuleExpression? {
        if let op = Self.comparisonOperator(current.kind) {
            advance()
            let right = try parseAdditive()
            return try make(.comparison(op, left, right), at: left.location)
        }
        switch current.kind {
        case .betweenKeyword:
            let between = advance()
            let lower = try parseAdditive()
            guard current.kind == .andKeyword else {
                throw expected("\"and\" after the lower bound of \"between\" at \(between.location)")
            }
            advance()
            let upper = try parseAdditive()
            return try make(.between(left, lower: lower, upper: upper), at: left.location)
        case .inKeyword:
            advance()
            return try make(.membership(left, try parseList(), negated: false), at: left.location)
        case .notKeyword where tokens[position + 1].kind == .inKeyword:
            advance()
            advance()
            return try make(.membership(left, try parseList(), negated: true), at: left.location)
        default:
            return nil
        }
    }

    /// `a < b < c` reads naturally but means nothing here, so say what to write instead.
    private mutating func chainedComparison(after comparison: RuleExpression) -> RuleError {
        let second = advance()
        var message = #"comparisons do not chain: combine them with "and" or "or""#
        if let op = Self.comparisonOperator(second.kind), case .comparison(_, _, let middle) = comparison.node,
            let right = try? parseAdditive()
        {
            let rewrite = RuleExpression(.comparison(op, middle, right), at: middle.location)
            message = "comparisons do not chain: write \"\(comparison) and \(rewrite)\""
        }
        return RuleError(at: second.location, token: second.text, message)
    }

    private mutating func parseList() throws(RuleError) -> [Double] {
        guard current.kind == .leftBracket else { throw expected("\"[\" after \"in\"") }
        let open = advance()
        var values: [Double] = []
        while true {
            let negative = current.kind == .minus
            if negative { advance() }
            guard case .number(let value) = current.kind else {
                throw expected("a number (lists hold numeric literals only)")
            }
            advance()
            values.append(negative ? -value : value)
            switch current.kind {
            case .comma:
                advance()
            case .rightBracket:
                advance()
                return values
            default:
                throw expected("\",\" or \"]\" to close \"[\" at \(open.location)")
            }
        }
    }

    private mutating func parseAdditive() throws(RuleError) -> RuleExpression {
        var left = try parseMultiplicative()
        while let op = additiveOperator {
            advance()
            let right = try parseMultiplicative()
            left = try make(.arithmetic(op, left, right), at: left.location)
        }
        return left
    }

    private var additiveOperator: ArithmeticOperator? {
        switch current.kind {
        case .plus: .add
        case .minus: .subtract
        default: nil
        }
    }

    private mutating func parseMultiplicative() throws(RuleError) -> RuleExpression {
        var left = try parseUnary()
        while let op = multiplicativeOperator {
            advance()
            let right = try parseUnary()
            left = try make(.arithmetic(op, left, right), at: left.location)
        }
        return left
    }

    private var multiplicativeOperator: ArithmeticOperator? {
        switch current.kind {
        case .star: .multiply
        case .slash: .divide
        default: nil
        }
    }

    private mutating func parseUnary() throws(RuleError) -> RuleExpression {
        guard current.kind == .minus else { return try parsePrimary() }
        let token = advance()
        try enter(token)
        defer { nesting -= 1 }
        let operand = try parseUnary()
        return try make(.negate(operand), at: token.location)
    }

    private mutating func parsePrimary() throws(RuleError) -> RuleExpression {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return try make(.number(value), at: token.location)
        case .trueKeyword, .falseKeyword:
            advance()
            return try make(.boolean(token.kind == .trueKeyword), at: token.location)
        case .name(let name):
            advance()
            return try make(.feature(name), at: token.location)
        case .segmentKeyword:
            advance()
            guard current.kind == .leftParenthesis else { throw expected("\"(\" after \"segment\"") }
            advance()
            let nameToken = current
            guard case .name(let name) = nameToken.kind else { throw expected("a segment name") }
            advance()
            guard current.kind == .rightParenthesis else {
                throw expected("\")\" to close \"segment(\" at \(token.location)")
            }
            advance()
            return try make(.segment(name, nameLocation: nameToken.location), at: token.location)
        case .leftParenthesis:
            advance()
            try enter(token)
            defer { nesting -= 1 }
            let inner = try parseOr()
            guard current.kind == .rightParenthesis else {
                throw expected("\")\" to close \"(\" at \(token.location)")
            }
            advance()
            // Re-anchored at "(" so an error about this operand points where it begins.
            return RuleExpression(inner.node, at: token.location)
        default:
            throw expected(#"a number, a feature name, true, false, segment(name) or "(""#)
        }
    }
}
