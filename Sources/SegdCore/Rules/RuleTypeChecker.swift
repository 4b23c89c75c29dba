/// Resolves names and checks types for one rule, turning the syntax tree into a typed tree.
/// Owns, for that one rule, the features and segments it was found to read, in the order they
/// first appear in the text.
struct RuleTypeChecker {
    private let catalog: FeatureCatalog
    private let segmentNames: [String]
    private let segmentIndices: [String: Int]
    private(set) var featureSlots: [Int] = []
    private(set) var segmentDependencies: [Int] = []

    /// `segmentNames[i]` is segment `i`; a repeated name resolves to its first index.
    init(catalog: FeatureCatalog, segmentNames: [String]) {
        self.catalog = catalog
        self.segmentNames = segmentNames
        segmentIndices = Dictionary(segmentNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func check(rule expression: RuleExpression) throws(RuleError) -> RuleCondition {
        switch try typed(expression) {
        case .boolean(let condition):
            return condition
        case .number:
            throw RuleError(
                at: expression.location, token: expression.description,
                "a rule must be a condition (true or false), found the number \"\(expression)\"")
        }
    }

    private enum Typed {
        case number(RuleNumericTerm)
        case boolean(RuleCondition)
    }

    private mutating func typed(_ expression: RuleExpression) throws(RuleError) -> Typed {
        switch expression.node {
        case .number(let value):
            return .number(.constant(value))
        case .boolean(let value):
            return .boolean(.constant(value))
        case .feature(let name):
            return .number(.feature(slot: try featureSlot(name, at: expression.location)))
        case .segment(let name, let location):
            return .boolean(.segment(index: try segmentIndex(name, at: location)))
        case .negate(let operand):
            return .number(.negate(try number(operand, operandOf: "-")))
        case .arithmetic(let op, let left, let right):
            let l = try number(left, operandOf: op.symbol)
            return .number(.arithmetic(op, l, try number(right, operandOf: op.symbol)))
        case .comparison(let op, let left, let right):
            let l = try number(left, operandOf: op.symbol)
            return .boolean(.comparison(op, l, try number(right, operandOf: op.symbol)))
        case .between(let value, let lower, let upper):
            let v = try number(value, operandOf: "between")
            let lo = try number(lower, operandOf: "between")
            return .boolean(.between(v, lower: lo, upper: try number(upper, operandOf: "between")))
        case .membership(let value, let list, let negated):
            let member = RuleCondition.membership(try number(value, operandOf: negated ? "not in" : "in"), list)
            return .boolean(negated ? .not(member) : member)
        case .not(let operand):
            return .boolean(.not(try boolean(operand, operandOf: "not")))
        case .and(let left, let right):
            let l = try boolean(left, operandOf: "and")
            return .boolean(.and(l, try boolean(right, operandOf: "and")))
        case .or(let left, let right):
            let l = try boolean(left, operandOf: "or")
            return .boolean(.or(l, try boolean(right, operandOf: "or")))
        }
    }

    private mutating func number(_ expression: RuleExpression, operandOf op: String) throws(RuleError) -> RuleNumericTerm {
        switch try typed(expression) {
        case .number(let term):
            return term
        case .boolean:
            throw RuleError(
                at: expression.location, token: expression.description,
                "\"\(op)\" needs a number, found the condition \"\(expression)\"")
        }
    }

    private mutating func boolean(_ expression: RuleExpression, operandOf op: String) throws(RuleError) -> RuleCondition {
        switch try typed(expression) {
        case .boolean(let condition):
            return condition
        case .number:
            throw RuleError(
                at: expression.location, token: expression.description,
                "\"\(op)\" needs a condition (true or false), found the number \"\(expression)\"")
        }
    }

    private mutating func featureSlot(_ name: String, at location: RuleLocation) throws(RuleError) -> Int {
        guard let slot = catalog.slot(of: name) else {
            var message = "unknown feature \"\(name)\""
            if segmentIndices[name] != nil {
                message += "; \"\(name)\" is a segment, write segment(\(name))"
            } else if let suggestion = closestName(to: name, among: catalog.names) {
                message += " (did you mean \"\(suggestion)\"?)"
            }
            throw RuleError(at: location, token: name, message)
        }
        if !featureSlots.contains(slot) { featureSlots.append(slot) }
        return slot
    }

    private mutating func segmentIndex(_ name: String, at location: RuleLocation) throws(RuleError) -> Int {
        guard let index = segmentIndices[name] else {
            var message = "unknown segment \"\(name)\""
            if catalog.slot(of: name) != nil {
                message += "; \"\(name)\" is a feature, write it without segment(...)"
            } else if let suggestion = closestName(to: name, among: segmentNames) {
                message += " (did you mean \"\(suggestion)\"?)"
            }
            throw RuleError(at: location, token: name, message)
        }
        if !segmentDependencies.contains(index) { segmentDependencies.append(index) }
        return index
    }
}
