/// One segment's rule, compiled and ready for the engine: owns the parsed expression (for logs
/// and `check-config`), what the rule reads, and its program. Immutable and `Sendable`, so a
/// config-loading task can build it and hand it to the engine thread. Made by ``RuleCompiler``.
public struct CompiledRule: Sendable, CustomStringConvertible {
    public let expression: RuleExpression
    /// Distinct feature slots the rule reads, in the order they first appear in its text: the
    /// values an alert quotes to explain a change.
    public let featureSlots: [Int]
    /// Distinct segment indices the rule refers to with `segment(name)`, in order of appearance;
    /// those segments must be evaluated first (see ``RuleDependencyOrder``).
    public let segmentDependencies: [Int]
    /// The bytecode, which ``SegmentCatalog`` links with the other segments' into one program.
    let program: RuleProgram
    private let featureCount: Int
    private let membershipWordCount: Int

    init(expression: RuleExpression, featureSlots: [Int], segmentDependencies: [Int], program: RuleProgram) {
        self.expression = expression
        self.featureSlots = featureSlots
        self.segmentDependencies = segmentDependencies
        self.program = program
        featureCount = (featureSlots.max() ?? -1) + 1
        membershipWordCount = segmentDependencies.map { $0 / 64 + 1 }.max() ?? 0
    }

    /// Whether a customer is in the segment. `features[slot]` is the value of the catalog's
    /// feature `slot`; bit `i % 64` of `memberships[i / 64]` says whether the customer is in
    /// segment `i`, already updated for every segment in ``segmentDependencies``.
    /// Reads no dictionary, allocates nothing and never traps on any feature value.
    public func evaluate(features: UnsafeBufferPointer<Double>, memberships: UnsafeBufferPointer<UInt64>) -> Bool {
        precondition(features.count >= featureCount, "feature vector has \(features.count) values, the rule reads slot \(featureCount - 1)")
        precondition(memberships.count >= membershipWordCount, "membership bitset has \(memberships.count) words, the rule reads word \(membershipWordCount - 1)")
        // A single rule's program only reads the memberships and has no family to claim.
        return program.run(features: features, memberships: UnsafeMutableBufferPointer(mutating: memberships), claimed: UnsafeMutableBufferPointer(start: nil, count: 0))
    }

    /// The constants feature `slot` is compared with directly (`slot op constant`, in either order),
    /// or nil when the rule uses the feature any other way (arithmetic, `between`, `in`), so that
    /// any change of its value may matter. The engine uses this to know when a feature that grows
    /// with time (days since the last order) can next change the rule's answer.
    public func comparisonConstants(ofSlot slot: Int) -> [Double]? {
        var constants: [Double] = []
        for instruction in program.instructions {
            switch instruction {
            case .jumpIfFeatureComparison(let compared, let constant, _, _) where compared == slot:
                constants.append(constant)
            case .pushFeature(let pushed) where pushed == slot:
                return nil
            default:
                continue
            }
        }
        return constants
    }

    /// The rule in canonical form.
    public var description: String { expression.description }
}
