/// One lexical unit of rule text: its kind, its spelling (for error messages) and where it starts.
struct RuleToken: Sendable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        case name(String)
        case andKeyword, orKeyword, notKeyword, betweenKeyword, inKeyword
        case trueKeyword, falseKeyword, segmentKeyword
        case plus, minus, star, slash
        case less, lessOrEqual, greater, greaterOrEqual, equal, notEqual
        case leftParenthesis, rightParenthesis, leftBracket, rightBracket, comma
        case end
    }

    var kind: Kind
    var text: String
    var location: RuleLocation
}

/// Splits rule text into tokens. Owns nothing between calls; the whole token list is built up
/// front because rules are short and compiled once.
enum RuleLexer {
    static let keywords: [String: RuleToken.Kind] = [
        "and": .andKeyword, "or": .orKeyword, "not": .notKeyword, "between": .betweenKeyword,
        "in": .inKeyword, "true": .trueKeyword, "false": .falseKeyword, "segment": .segmentKeyword,
    ]

    static func tokens(of text: String) throws(RuleError) -> [RuleToken] {
        var scanner = Scanner(Array(text.unicodeScalars))
        var tokens: [RuleToken] = []
        while true {
            let token = try scanner.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || c == "_" }
    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    /// Upper case is accepted here only so a misspelt `AND` or `Orders` gets a helpful message.
    private static func isWordPart(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || isDigit(c) || ("A"..."Z").contains(c)
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var line = 1
        var column = 1

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        mutating func advance() {
            if scalars[index] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }

        mutating func advance(while predicate: (Unicode.Scalar) -> Bool) {
            while let c = current, predicate(c) { advance() }
        }

        func text(from start: Int) -> String {
            var result = String.UnicodeScalarView()
            result.append(contentsOf: scalars[start..<index])
            return String(result)
        }

        mutating func next() throws(RuleError) -> RuleToken {
            advance(while: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            let location = RuleLocation(line: line, column: column)
            let start = index
            guard let c = current else { return RuleToken(kind: .end, text: "", location: location) }

            if RuleLexer.isDigit(c) { return try number(at: location, start: start) }
            if RuleLexer.isWordPart(c) { return try word(at: location, start: start) }

            let kind: RuleToken.Kind
            advance()
            switch c {
            case "(": kind = .leftParenthesis
            case ")": kind = .rightParenthesis
            case "[": kind = .leftBracket
            case "]": kind = .rightBracket
            case ",": kind = .comma
            case "+": kind = .plus
            case "-": kind = .minus
            case "*": kind = .star
            case "/": kind = .slash
            case "<": kind = take("=") ? .lessOrEqual : .less
            case ">": kind = take("=") ? .greaterOrEqual : .greater
            case "=":
                guard take("=") else {
                    throw RuleError(at: location, token: "=", #"unexpected "=" (did you mean "=="?)"#)
                }
                kind = .equal
            case "!":
                guard take("=") else {
                    throw RuleError(at: location, token: "!", #"unexpected "!" (did you mean "!=" or "not"?)"#)
                }
                kind = .notEqual
            case "&", "|":
                advance(while: { $0 == c })
                let spelling = text(from: start)
                let keyword = c == "&" ? "and" : "or"
                throw RuleError(at: location, token: spelling, "unexpected \"\(spelling)\" (did you mean \"\(keyword)\"?)")
            default:
                throw RuleError(at: location, token: String(c), "unexpected character \"\(c)\"")
            }
            return RuleToken(kind: kind, text: text(from: start), location: location)
        }

        private mutating func take(_ expected: Unicode.Scalar) -> Bool {
            guard current == expected else { return false }
            advance()
            return true
        }

        private mutating func number(at location: RuleLocation, start: Int) throws(RuleError) -> RuleToken {
            advance(while: RuleLexer.isDigit)
            if current == ".", let after = peek(1), RuleLexer.isDigit(after) {
                advance()
                advance(while: RuleLexer.isDigit)
            }
            if current == "e" || current == "E" {
                let signed = peek(1) == "+" || peek(1) == "-"
                if let digit = peek(signed ? 2 : 1), RuleLexer.isDigit(digit) {
                    advance()
                    if signed { advance() }
                    advance(while: RuleLexer.isDigit)
                }
            }
            // A number glued to letters or a dangling "." is a typo, not two tokens.
            if let c = current, RuleLexer.isWordPart(c) || c == "." {
                advance(while: { RuleLexer.isWordPart($0) || $0 == "." })
                let spelling = text(from: start)
                throw RuleError(
                    at: location, token: spelling,
                    "invalid number \"\(spelling)\": write digits with an optional fraction and exponent, like 12, 0.5 or 1e3")
            }
            let spelling = text(from: start)
            guard let value = Double(spelling), value.isFinite else {
                throw RuleError(at: location, token: spelling, "number \"\(spelling)\" is too large")
            }
            return RuleToken(kind: .number(value), text: spelling, location: location)
        }

        private mutating func word(at location: RuleLocation, start: Int) throws(RuleError) -> RuleToken {
            advance(while: RuleLexer.isWordPart)
            let spelling = text(from: start)
            let lowered = spelling.lowercased()
            guard spelling == lowered else {
                throw RuleError(
                    at: location, token: spelling,
                    "unexpected \"\(spelling)\": names and keywords are lower case (did you mean \"\(lowered)\"?)")
            }
            return RuleToken(kind: RuleLexer.keywords[spelling] ?? .name(spelling), text: spelling, location: location)
        }
    }
}
