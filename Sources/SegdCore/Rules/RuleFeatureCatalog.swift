/// The numeric features a rule may read, in slot order: the engine computes a feature vector
/// `[Double]` per customer in which feature `names[i]` is at index `i`. Owns the names and the
/// name-to-slot index used while compiling; evaluation never looks a name up.
public struct FeatureCatalog: Sendable {
    public let names: [String]
    private let slots: [String: Int]

    /// A repeated name resolves to its first slot, and a name that is not `[a-z_][a-z0-9_]*`
    /// simply cannot be written in a rule: neither stops the process, since the names may
    /// derive from configuration.
    public init(_ names: [String]) {
        self.names = names
        slots = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var count: Int { names.count }

    public func slot(of name: String) -> Int? { slots[name] }
}
