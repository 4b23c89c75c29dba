/// A position inside one rule's text, 1-based. Columns count Unicode scalars, so a position reads
/// the same in an editor whatever the encoding; the config loader adds its own line offset.
public struct RuleLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Why a rule's text was refused: where, which token, and a sentence saying what was expected.
/// Every stage (lexer, parser, type checker) reports through this one type, so a config loader
/// handles a single error shape.
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: RuleLocation
    /// The offending token as written, or for a type error the offending operand in canonical
    /// form; empty at the end of the rule.
    public var token: String
    public var message: String

    public init(at location: RuleLocation, token: String, _ message: String) {
        self.location = location
        self.token = token
        self.message = message
    }

    public var line: Int { location.line }
    public var column: Int { location.column }

    /// `line:column: message`, the form compilers use, so editors can jump to it.
    public var description: String { "\(location): \(message)" }
}
