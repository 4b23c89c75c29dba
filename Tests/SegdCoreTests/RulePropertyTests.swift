import SegdCore
import Testing

@Suite struct RulePropertyTests {
    @Test func compiledRulesAgreeWithTheReferenceInterpreter() throws {
        var generator = RuleExpressionGenerator(
            random: RuleTestRandom(seed: 0x5E6D), features: RuleFixtures.catalog.names, segments: RuleFixtures.segments)
        var evaluations = 0
        for _ in 0..<4000 {
            let expression = generator.condition(depth: Int.random(in: 0...5, using: &generator.random))
            let text = expression.description
            let rule = try RuleFixtures.compile(text)
            #expect(rule.description == text, "canonical text does not round-trip")
            #expect(rule.featureSlots == firstAppearances(in: expression).features.map { RuleFixtures.catalog.slot(of: $0)! })
            #expect(rule.segmentDependencies == firstAppearances(in: expression).segments.map { RuleFixtures.segments.firstIndex(of: $0)! })
            for _ in 0..<25 {
                let values = generator.featureValues()
                let members = generator.members()
                let expected = RuleReferenceInterpreter(features: values, members: members).truth(expression)
                let actual = rule.evaluate(
                    RuleFixtures.catalog.names.map { values[$0]! }, RuleFixtures.memberships(members))
                guard actual == expected else {
                    Issue.record("\(text) gave \(actual), expected \(expected), for \(values) in \(members.sorted())")
                    return
                }
                evaluations += 1
            }
        }
        #expect(evaluations == 100_000)
    }

    /// Random token soup must come back as a compiled rule or a `RuleError` pointing inside the
    /// text (or just past its end), never as a crash.
    @Test func arbitraryInputEitherCompilesOrFailsWithALocation() {
        let vocabulary = [
            "orders_30d", "spend_90d", "vip", "segment", "(", ")", "[", "]", ",", "and", "or", "not", "between", "in",
            "true", "false", "+", "-", "*", "/", "<", "<=", "==", "!=", ">", "3", "0.5", "1e3", "\n", "=", "$", "Or", "1.",
        ]
        var random = RuleTestRandom(seed: 7)
        var compiled = 0
        for _ in 0..<5000 {
            let words = (0..<Int.random(in: 0...12, using: &random)).map { _ in vocabulary.randomElement(using: &random)! }
            let text = words.joined(separator: " ")
            do {
                _ = try RuleFixtures.compile(text)
                compiled += 1
            } catch {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(error.line >= 1 && error.line <= lines.count, "\(error) for \(text)")
                #expect(error.column >= 1 && error.column <= lines[error.line - 1].unicodeScalars.count + 1, "\(error) for \(text)")
            }
        }
        #expect(compiled > 0)
    }

    /// Feature and segment names in the order they first occur in the canonical text.
    private func firstAppearances(in expression: RuleExpression) -> (features: [String], segments: [String]) {
        var features: [String] = []
        var segments: [String] = []
        func visit(_ e: RuleExpression) {
            switch e.node {
            case .feature(let name) where !features.contains(name): features.append(name)
            case .segment(let name, _) where !segments.contains(name): segments.append(name)
            default: break
            }
            for child in children(of: e) { visit(child) }
        }
        visit(expression)
        return (features, segments)
    }

    private func children(of expression: RuleExpression) -> [RuleExpression] {
        switch expression.node {
        case .number, .boolean, .feature, .segment: []
        case .negate(let operand), .not(let operand), .membership(let operand, _, _): [operand]
        case .arithmetic(_, let left, let right), .comparison(_, let left, let right), .and(let left, let right), .or(let left, let right):
            [left, right]
        case .between(let value, let lower, let upper): [value, lower, upper]
        }
    }
}
