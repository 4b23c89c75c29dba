/// A segment ready to evaluate: its name, its compiled rule and the topics its alerts go to.
public struct SegmentDefinition: Sendable {
    public let name: String
    /// `name` as a JSON string, written into every alert about the segment.
    public let encodedName: [UInt8]
    public let description: String
    public let rule: CompiledRule
    public let enterTopic: [UInt8]
    public let exitTopic: [UInt8]
    /// The family's name, for a member of a mutually exclusive family.
    public let family: String?

    /// Segment names become topic parts and rule identifiers: a lower-case letter, then lower-case
    /// letters, digits and `_`, at most 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (0x61...0x7A).contains(first), bytes.count <= 64 else { return false }
        return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// Compiles every segment's rule against the feature layout; segments may refer to each other.
    public static func compileAll(_ segments: [EngineConfiguration.Segment], layout: FeatureLayout) throws(SegmentDefinitionError) -> [SegmentDefinition] {
        let catalog = FeatureCatalog(layout.names)
        let names = segments.map(\.name)
        var definitions: [SegmentDefinition] = []
        for (index, segment) in segments.enumerated() {
            do {
                let rule = try RuleCompiler.compile(segment.rule, features: catalog, segments: names)
                definitions.append(SegmentDefinition(
                    name: segment.name, encodedName: JSONWriter.encoded(segment.name), description: segment.description, rule: rule,
                    enterTopic: Array("segment.\(segment.name).enter".utf8),
                    exitTopic: Array("segment.\(segment.name).exit".utf8),
                    family: segment.family))
            } catch {
                throw SegmentDefinitionError(segment: index, rule: error, message: "segment \"\(segment.name)\": \(error.message)")
            }
        }
        return definitions
    }

    /// An order in which every segment follows the segments its rule reads and, in a family,
    /// the members listed before it (first match wins, so they must be decided first).
    public static func evaluationOrder(_ definitions: [SegmentDefinition]) throws(SegmentDefinitionError) -> [Int] {
        var dependencies = definitions.map(\.rule.segmentDependencies)
        for (index, definition) in definitions.enumerated() {
            guard let family = definition.family else { continue }
            dependencies[index] += definitions.indices.prefix(index).filter { definitions[$0].family == family }
        }
        do {
            return try RuleDependencyOrder.order(dependencies)
        } catch {
            let names = error.cycle.map { definitions[$0].name }
            throw SegmentDefinitionError(
                segment: error.cycle.first ?? 0, rule: nil,
                message: "segments refer to each other in a cycle: \((names + [names.first ?? ""]).joined(separator: " → "))")
        }
    }
}

/// A segment whose rule does not compile, or segments that depend on each other in a cycle.
public struct SegmentDefinitionError: Error, Sendable, CustomStringConvertible {
    /// Index of the offending segment in the config's order.
    public let segment: Int
    /// The rule error with its position inside the rule text, when there is one.
    public let rule: RuleError?
    public let message: String

    public var description: String { message }
}
