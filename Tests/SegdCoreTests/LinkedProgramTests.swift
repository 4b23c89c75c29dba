@testable import SegdCore
import Testing

/// A catalog links every segment's rule into one program (``RuleProgram/linking(_:tables:)``),
/// fusing the common steps; these tests hold it to running each rule alone.
@Suite("Linked catalog program")
struct LinkedProgramTests {
    private static let layout = FeatureLayout(windows: [try! WindowSpec(parsing: "30d")])
    /// Windowed and total measures, and history features with few values (RFM scores, a 0/1
    /// flag), so that random families get tables too.
    private static let features = ["orders_30d", "spend_30d", "orders_total", "days_since_last_order", "r_score", "fm_score", "cart_open"]

    @Test("random catalogs decide every segment as their rules run alone do, first match winning in a family")
    func linkedProgramAgreesWithRulesAlone() throws {
        var generator = RuleExpressionGenerator(random: RuleTestRandom(seed: 0x11_4CED), features: Self.features, segments: [])
        var catalogs = 0, tabled = 0, checked = 0
        for _ in 0..<400 {
            let count = Int.random(in: 1...10, using: &generator.random)
            var definitions: [EngineConfiguration.Segment] = []
            for index in 0..<count {
                // Referring only to segments listed earlier keeps the catalog free of cycles.
                generator.segments = definitions.map(\.name)
                let rule = generator.condition(depth: Int.random(in: 0...3, using: &generator.random))
                let family = [nil, "a", "b"][Int.random(in: 0..<3, using: &generator.random)]
                definitions.append(.init(name: "s\(index)", rule: rule.description, family: family))
            }
            let catalog = try SegmentCatalog(definitions, layout: Self.layout)
            catalogs += 1
            tabled += catalog.tabledFamilies.count
            for _ in 0..<50 {
                var features = [Double](repeating: 0, count: Self.layout.count)
                for (name, value) in generator.featureValues() { features[Self.layout.slot(named: name)!] = value }
                // Stale bits from before, which every segment's decision must overwrite.
                let before = (0..<catalog.membershipWords).map { _ in UInt64.random(in: .min ... .max, using: &generator.random) }
                var linked = before
                catalog.evaluate(features: features, memberships: &linked)
                let alone = catalog.evaluatedRuleByRule(features: features, memberships: before)
                guard linked == alone else {
                    Issue.record("\(definitions.map { "\($0.name) [\($0.family ?? "-")]: \($0.rule)" }) with \(features): \(linked) against \(alone)")
                    return
                }
                checked += 1
            }
        }
        #expect(catalogs == 400 && checked == 20_000)
        #expect(tabled > 0, "no random family got a table")
    }

    @Test("a rule that tests one feature against a constant is one step, with its family's guard folded in")
    func settledComparisonsAreFused() throws {
        let catalog = try SegmentCatalog([
            .init(name: "buyer", rule: "orders_total >= 1", family: "lifecycle"),
            .init(name: "prospect", rule: "true", family: "lifecycle"),
        ], layout: Self.layout)
        let orders = Self.layout.slot(named: "orders_total")!
        let program = catalog.program.instructions
        // buyer: fails (decides false) unless orders_total >= 1, then decides true; prospect keeps its guard.
        guard program.count == 7,
              case .decideIfFeatureComparison(orders, 1, ComparisonTable(.greaterOrEqual, when: false), false, 0, 0, 3) = program[0],
              case .decide(0, 0, true, 3) = program[1],
              case .skipIfClaimed(0, 1, 6) = program[3],
              case .decide(1, 0, true, 6) = program[4]
        else {
            Issue.record("linked as \(program)")
            return
        }
        for (orderCount, expected) in [(0.0, 0b10 as UInt64), (1, 0b01), (.nan, 0b10)] {
            var features = [Double](repeating: 0, count: Self.layout.count)
            features[orders] = orderCount
            var words: [UInt64] = [0b11]
            catalog.evaluate(features: features, memberships: &words)
            #expect(words == [expected], "orders_total \(orderCount)")
        }
    }
}

extension SegmentCatalog {
    /// The membership words after running each segment's rule alone, in evaluation order, the first
    /// member whose rule holds winning in a family: the meaning the linked program must keep.
    /// Bits of no segment keep their values from `memberships`.
    func evaluatedRuleByRule(features: [Double], memberships: [UInt64]) -> [UInt64] {
        var words = memberships
        var claimed = Set<Int>()
        for segment in evaluationOrder {
            let family = familyOfSegment[segment]
            let holds = family.map { !claimed.contains($0) } ?? true
                && features.withUnsafeBufferPointer { values in
                    words.withUnsafeBufferPointer { segments[segment].rule.evaluate(features: values, memberships: $0) }
                }
            if holds, let family { claimed.insert(family) }
            let bit: UInt64 = 1 << UInt64(segment & 63)
            if holds { words[segment >> 6] |= bit } else { words[segment >> 6] &= ~bit }
        }
        return words
    }
}
