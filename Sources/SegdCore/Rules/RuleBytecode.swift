/// One step of a compiled rule. Numbers are computed on a small stack. Conditions are never
/// stored as values: they compile to conditional jumps ("jumping code"), so `and`/`or`
/// short-circuit by construction and `not` costs nothing. A conditional jump goes to `target`
/// when the condition it tests equals `when`, and falls through otherwise.
enum RuleInstruction: Sendable {
    case pushConstant(Double)
    case pushFeature(slot: Int)
    case negate
    case add, subtract, multiply, divide
    /// Pops `right`, then `left`, and jumps when `jumpsOn` holds for how they compare.
    case jumpIfComparison(jumpsOn: ComparisonTable, target: Int)
    /// `feature op constant` in one step, the shape most rules are made of; touches no stack.
    case jumpIfFeatureComparison(slot: Int, constant: Double, target: Int, jumpsOn: ComparisonTable)
    /// Pops `upper`, `lower`, `value` and tests `lower <= value <= upper`.
    case jumpIfBetween(when: Bool, target: Int)
    /// Pops `value` and tests whether it equals one of `constants[first ..< first + count]`.
    case jumpIfMember(first: Int, count: Int, when: Bool, target: Int)
    /// Tests bit `mask` of word `word` of the membership bitset.
    case jumpIfSegment(word: Int, mask: UInt64, when: Bool, target: Int)
    case jump(target: Int)
    case result(Bool)
    /// Only in a catalog's linked program (``RuleProgram/linking(_:tables:)``): segment `segment`'s rule
    /// answered `value`. Sets its membership bit to it, claims its family (`family` ≥ 0) when it
    /// is a member, and goes on at `next`, the next segment's code. A family member's code is only
    /// reached while the family is unclaimed (``skipIfClaimed(family:segment:next:)`` guards it).
    case decide(segment: Int, family: Int, value: Bool, next: Int)
    /// Only in a linked program, before the code of a family member: when a member listed earlier
    /// has claimed `family`, clears segment `segment`'s bit and goes on at `next` without running
    /// its rule, whose answer could not matter.
    case skipIfClaimed(family: Int, segment: Int, next: Int)
    /// Only in a linked program, in place of a rule's `jumpIfFeatureComparison` that jumps to a
    /// `result`, the shape most rules end or fail early in: when `jumpsOn` holds for feature
    /// `slot` and `constant`, decides `segment` as `value` (the result's), as ``decide(segment:family:value:next:)``
    /// would, and goes on at `next`; otherwise falls through. A member of a claimed family is
    /// cleared and skipped here as ``skipIfClaimed(family:segment:next:)`` would, so a rule that
    /// begins with one needs no guard. One step where there were a jump and a `decide`, and often a
    /// guard: each step is an indirect jump, the interpreter's largest cost.
    case decideIfFeatureComparison(slot: Int, constant: Double, jumpsOn: ComparisonTable, value: Bool, segment: Int, family: Int, next: Int)
    /// Only in a linked program, before the code of a family whose members all read only features
    /// with a few possible values: decides every member by looking up ``RuleProgram/tables``
    /// `[table]` and goes on at `next`, past the members' code; falls through to that code when a
    /// value is not in the table.
    case decideFamilyByTable(table: Int, next: Int)
}

/// What a comparison jumps on, as a table over how its two operands compare: bit 0 for
/// unordered (a NaN), bit 1 for less, bit 2 for equal, bit 4 for greater. One table stands for
/// any operator tested for true or for false, so the interpreter compares once and looks the
/// answer up, where a switch over the operator was a second indirect jump per comparison.
struct ComparisonTable: Sendable, Equatable {
    let bits: UInt8

    /// Jumps when `left op right` equals `when`.
    init(_ op: ComparisonOperator, when: Bool) {
        let unordered: UInt8 = 1 << 0, less: UInt8 = 1 << 1, equal: UInt8 = 1 << 2, greater: UInt8 = 1 << 4
        let holds: UInt8 =
            switch op {
            case .less: less
            case .lessOrEqual: less | equal
            case .greater: greater
            case .greaterOrEqual: greater | equal
            case .equal: equal
            case .notEqual: unordered | less | greater
            }
        bits = when ? holds : holds ^ (unordered | less | equal | greater)
    }

    @inline(__always)
    func matches(_ left: Double, _ right: Double) -> Bool {
        let ordering = (left < right ? 1 : 0) | (left == right ? 2 : 0) | (left > right ? 4 : 0)
        return bits >> ordering & 1 != 0
    }
}

/// A compiled rule: owns its instructions, the constant table its membership lists point into,
/// and the stack depth evaluation needs. Immutable once built, so it is shared freely.
struct RuleProgram: Sendable {
    let instructions: [RuleInstruction]
    let constants: [Double]
    let maximumStackDepth: Int
    /// The family tables ``RuleInstruction/decideFamilyByTable(table:next:)`` reads; only in a
    /// linked program.
    var tables: [FamilyTable] = []
}

extension RuleProgram {
    /// One program that evaluates several rules in turn, each segment's code followed by the next:
    /// `rules` are (segment, family or -1, program) in evaluation order. Each rule's `result`
    /// becomes a `decide` for its segment, so a customer's whole catalog runs in one pass of the
    /// interpreter over one instruction array; a family member's code is skipped once an earlier
    /// member has claimed the family.
    ///
    /// A family with a table (`tables`) is decided where its first member comes, by one lookup;
    /// its members' code follows there, together, for the values the table does not cover. That
    /// moves later members forward, which no other segment can notice: a table's members read no
    /// segment, and a segment that reads one of them already comes after it.
    static func linking(_ rules: [(segment: Int, family: Int, program: RuleProgram)], tables: [FamilyTable]) -> RuleProgram {
        var instructions: [RuleInstruction] = []
        var constants: [Double] = []
        func append(_ rule: (segment: Int, family: Int, program: RuleProgram)) {
            let code = rule.program.instructions
            let guarded = rule.family >= 0 && rule.program.settledComparison(code[0]) == nil
            let base = instructions.count + (guarded ? 1 : 0)
            let constantBase = constants.count
            let next = base + code.count
            if guarded { instructions.append(.skipIfClaimed(family: rule.family, segment: rule.segment, next: next)) }
            for instruction in code {
                if let settled = rule.program.settledComparison(instruction) {
                    instructions.append(.decideIfFeatureComparison(
                        slot: settled.slot, constant: settled.constant, jumpsOn: settled.jumpsOn, value: settled.value,
                        segment: rule.segment, family: rule.family, next: next))
                } else {
                    instructions.append(instruction.relocated(by: base, constantsBy: constantBase, decidingFor: rule.segment, family: rule.family, next: next))
                }
            }
            constants.append(contentsOf: rule.program.constants)
        }
        var linkedFamilies: Set<Int> = []
        for rule in rules {
            guard let table = tables.firstIndex(where: { $0.family == rule.family }) else {
                append(rule)
                continue
            }
            guard linkedFamilies.insert(rule.family).inserted else { continue }
            let lookup = instructions.count
            instructions.append(.decideFamilyByTable(table: table, next: -1))
            for member in rules where member.family == rule.family { append(member) }
            instructions[lookup] = .decideFamilyByTable(table: table, next: instructions.count)
        }
        instructions.append(.result(false))
        return RuleProgram(
            instructions: instructions, constants: constants, maximumStackDepth: rules.map(\.program.maximumStackDepth).max() ?? 0,
            tables: tables)
    }
}

extension RuleProgram {
    /// For a `feature op constant` jump to a `result`: what it tests and the result it jumps to.
    fileprivate func settledComparison(_ instruction: RuleInstruction) -> (slot: Int, constant: Double, jumpsOn: ComparisonTable, value: Bool)? {
        guard case .jumpIfFeatureComparison(let slot, let constant, let target, let table) = instruction,
              case .result(let value) = instructions[target] else { return nil }
        return (slot, constant, table, value)
    }
}

extension RuleInstruction {
    /// This instruction with its jump target, if it has one, replaced by `target(old)`: labels
    /// become addresses when a rule is compiled, and addresses move when rules are linked.
    func retargeted(_ target: (Int) -> Int) -> RuleInstruction {
        switch self {
        case .jumpIfComparison(let table, let old):
            .jumpIfComparison(jumpsOn: table, target: target(old))
        case .jumpIfFeatureComparison(let slot, let constant, let old, let table):
            .jumpIfFeatureComparison(slot: slot, constant: constant, target: target(old), jumpsOn: table)
        case .jumpIfBetween(let when, let old):
            .jumpIfBetween(when: when, target: target(old))
        case .jumpIfMember(let first, let count, let when, let old):
            .jumpIfMember(first: first, count: count, when: when, target: target(old))
        case .jumpIfSegment(let word, let mask, let when, let old):
            .jumpIfSegment(word: word, mask: mask, when: when, target: target(old))
        case .jump(let old):
            .jump(target: target(old))
        case .decide(let segment, let family, let value, let old):
            .decide(segment: segment, family: family, value: value, next: target(old))
        case .skipIfClaimed(let family, let segment, let old):
            .skipIfClaimed(family: family, segment: segment, next: target(old))
        case .decideFamilyByTable(let table, let old):
            .decideFamilyByTable(table: table, next: target(old))
        case .decideIfFeatureComparison(let slot, let constant, let table, let value, let segment, let family, let old):
            .decideIfFeatureComparison(slot: slot, constant: constant, jumpsOn: table, value: value, segment: segment, family: family, next: target(old))
        case .pushConstant, .pushFeature, .negate, .add, .subtract, .multiply, .divide, .result:
            self
        }
    }

    /// This instruction placed `base` instructions and `constantBase` constants further on, with
    /// a result turned into the decision for `segment`.
    fileprivate func relocated(by base: Int, constantsBy constantBase: Int, decidingFor segment: Int, family: Int, next: Int) -> RuleInstruction {
        switch self {
        case .jumpIfMember(let first, let count, let when, let target):
            .jumpIfMember(first: first + constantBase, count: count, when: when, target: target + base)
        case .result(let value):
            .decide(segment: segment, family: family, value: value, next: next)
        case .decide, .skipIfClaimed, .decideFamilyByTable, .decideIfFeatureComparison:
            preconditionFailure("a linked program is not linked again")
        default:
            retargeted { $0 + base }
        }
    }
}
