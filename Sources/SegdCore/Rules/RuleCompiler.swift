/// Turns rule text into a ``CompiledRule``: parse, resolve names and check types, then lower to
/// bytecode. Owns nothing between calls.
public enum RuleCompiler {
    /// Compiles `text`. Feature names resolve against `features`; `segment(name)` resolves
    /// against `segments`, where `segments[i]` is segment `i` and bit `i` of the membership
    /// bitset. A repeated segment name resolves to its first index.
    public static func compile(_ text: String, features: FeatureCatalog, segments: [String]) throws(RuleError) -> CompiledRule {
        let expression = try RuleExpression(parsing: text)
        var checker = RuleTypeChecker(catalog: features, segmentNames: segments)
        let condition = try checker.check(rule: expression)
        return CompiledRule(
            expression: expression, featureSlots: checker.featureSlots, segmentDependencies: checker.segmentDependencies,
            program: RuleCodeGenerator.program(for: condition))
    }
}

/// Lowers a typed rule to a ``RuleProgram``. Owns the program under construction; jump targets
/// are emitted as label numbers and replaced by addresses once every label is placed.
private struct RuleCodeGenerator {
    private var instructions: [RuleInstruction] = []
    private var constants: [Double] = []
    private var labelAddresses: [Int] = []
    private var depth = 0
    private var maximumDepth = 0

    static func program(for condition: RuleCondition) -> RuleProgram {
        var generator = RuleCodeGenerator()
        let isFalse = generator.newLabel()
        generator.jump(when: false, condition, to: isFalse)
        generator.instructions.append(.result(true))
        generator.place(isFalse)
        generator.instructions.append(.result(false))
        let addresses = generator.labelAddresses
        return RuleProgram(
            instructions: generator.instructions.map { $0.retargeted { addresses[$0] } },
            constants: generator.constants,
            maximumStackDepth: generator.maximumDepth)
    }

    private mutating func newLabel() -> Int {
        labelAddresses.append(-1)
        return labelAddresses.count - 1
    }

    private mutating func place(_ label: Int) {
        labelAddresses[label] = instructions.count
    }

    /// Emits code that jumps to `label` when `condition` equals `when` and falls through
    /// otherwise. Conditions are only ever operands of other conditions, so the number stack is
    /// empty at every jump and at every label.
    private mutating func jump(when: Bool, _ condition: RuleCondition, to label: Int) {
        switch condition {
        case .constant(let value):
            if value == when { instructions.append(.jump(target: label)) }
        case .segment(let index):
            instructions.append(.jumpIfSegment(word: index >> 6, mask: 1 << UInt64(index & 63), when: when, target: label))
        case .not(let operand):
            jump(when: !when, operand, to: label)
        case .and(let left, let right):
            if when {
                let skip = newLabel()
                jump(when: false, left, to: skip)
                jump(when: true, right, to: label)
                place(skip)
            } else {
                jump(when: false, left, to: label)
                jump(when: false, right, to: label)
            }
        case .or(let left, let right):
            if when {
                jump(when: true, left, to: label)
                jump(when: true, right, to: label)
            } else {
                let skip = newLabel()
                jump(when: true, left, to: skip)
                jump(when: false, right, to: label)
                place(skip)
            }
        case .comparison(let op, .feature(let slot), .constant(let constant)):
            instructions.append(.jumpIfFeatureComparison(slot: slot, constant: constant, target: label, jumpsOn: ComparisonTable(op, when: when)))
        case .comparison(let op, .constant(let constant), .feature(let slot)):
            instructions.append(
                .jumpIfFeatureComparison(slot: slot, constant: constant, target: label, jumpsOn: ComparisonTable(op.mirrored, when: when)))
        case .comparison(let op, let left, let right):
            push(left)
            push(right)
            instructions.append(.jumpIfComparison(jumpsOn: ComparisonTable(op, when: when), target: label))
            depth -= 2
        case .between(let value, let lower, let upper):
            push(value)
            push(lower)
            push(upper)
            instructions.append(.jumpIfBetween(when: when, target: label))
            depth -= 3
        case .membership(let value, let list):
            push(value)
            instructions.append(.jumpIfMember(first: constants.count, count: list.count, when: when, target: label))
            constants.append(contentsOf: list)
            depth -= 1
        }
    }

    /// Emits code that leaves the value of `term` on top of the stack.
    private mutating func push(_ term: RuleNumericTerm) {
        switch term {
        case .constant(let value):
            instructions.append(.pushConstant(value))
            grow()
        case .feature(let slot):
            instructions.append(.pushFeature(slot: slot))
            grow()
        case .negate(let operand):
            push(operand)
            instructions.append(.negate)
        case .arithmetic(let op, let left, let right):
            push(left)
            push(right)
            switch op {
            case .add: instructions.append(.add)
            case .subtract: instructions.append(.subtract)
            case .multiply: instructions.append(.multiply)
            case .divide: instructions.append(.divide)
            }
            depth -= 1
        }
    }

    private mutating func grow() {
        depth += 1
        maximumDepth = max(maximumDepth, depth)
    }
}

private extension ComparisonOperator {
    /// The operator that gives the same answer with its operands swapped, NaN included.
    var mirrored: ComparisonOperator {
        switch self {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        case .equal, .notEqual: self
        }
    }
}
