/// Where and why a payload stopped being one well-formed JSON object. A plain value, thrown with
/// typed `throws` so that raising it allocates nothing.
struct JSONSyntaxError: Error, Sendable, Equatable {
    enum Problem: Sendable, Equatable {
        case unexpectedEnd
        case expectedObject
        case expectedKey
        case expectedColon
        case expectedCommaOrObjectEnd
        case expectedCommaOrArrayEnd
        case expectedValue
        case invalidLiteral
        case expectedDigit
        case leadingZero
        case invalidEscape
        case unpairedSurrogate
        case controlCharacterInString
        case nestingTooDeep
        case duplicateKey
        case trailingData

        var explanation: String {
            switch self {
            case .unexpectedEnd: "unexpected end of input"
            case .expectedObject: "expected '{': the payload must be one JSON object"
            case .expectedKey: "expected a string key"
            case .expectedColon: "expected ':' after an object key"
            case .expectedCommaOrObjectEnd: "expected ',' or '}' after an object member"
            case .expectedCommaOrArrayEnd: "expected ',' or ']' after an array element"
            case .expectedValue: "expected a JSON value"
            case .invalidLiteral: "invalid literal (only true, false and null exist)"
            case .expectedDigit: "expected a digit in a number"
            case .leadingZero: "number with a leading zero"
            case .invalidEscape: "invalid escape sequence in a string"
            case .unpairedSurrogate: "\\u escape of an unpaired UTF-16 surrogate"
            case .controlCharacterInString: "unescaped control character (U+0000…U+001F) in a string"
            case .nestingTooDeep: "nesting deeper than \(JSONScanner.maxDepth) levels"
            case .duplicateKey: "duplicate key in the event object"
            case .trailingData: "data after the end of the JSON object"
            }
        }
    }

    var offset: Int
    var problem: Problem
}

/// A string as it appears in the payload: the bytes between its quotes, already checked for
/// valid escapes. When `hasEscapes` is false those bytes are the string's value.
struct JSONStringToken: Sendable, Equatable {
    var start: Int
    var end: Int
    var hasEscapes: Bool
}

/// A cursor over one payload that checks RFC 8259 syntax as it advances. Owns only its position;
/// the bytes belong to the caller and must stay valid while it is used. It assumes the bytes are
/// valid UTF-8 (see ``UTF8Validation``), so non-ASCII bytes inside strings pass unexamined.
struct JSONScanner {
    /// Deepest nesting accepted, counting the event object itself as level 1. Bounds the
    /// recursion of ``skipValue(depth:)`` whatever a producer sends.
    static let maxDepth = 32

    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// The byte at the cursor, or 0 at the end. A NUL byte can start no token, so callers treat
    /// both alike and ``failure(_:)`` tells them apart.
    @inline(__always)
    var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    /// The error to raise at the cursor: `problem`, or `unexpectedEnd` when the input ran out.
    func failure(_ problem: JSONSyntaxError.Problem) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, problem: isAtEnd ? .unexpectedEnd : problem)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Moves the cursor past a token the caller has read in place, such as a known key.
    @inline(__always)
    mutating func skip(to offset: Int) {
        position = offset
    }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// Consumes `byte` or throws `problem`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, else problem: JSONSyntaxError.Problem) throws(JSONSyntaxError) {
        guard consume(byte) else { throw failure(problem) }
    }

    /// Scans the string that starts at the cursor (which must be at its opening quote), checking
    /// escapes and control characters; unescaping is left to ``JSONString`` because most strings
    /// have no escapes and are used as they stand.
    mutating func scanString() throws(JSONSyntaxError) -> JSONStringToken {
        let start = position + 1
        var i = start
        var hasEscapes = false
        let count = bytes.count
        while true {
            // Eight bytes at a time up to the first byte that ends the string or needs a look.
            while i + 8 <= count {
                let mask = Self.attentionMask(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                if mask != 0 {
                    i += mask.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < count else { throw JSONSyntaxError(offset: count, problem: .unexpectedEnd) }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return JSONStringToken(start: start, end: i, hasEscapes: hasEscapes)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                i = try endOfEscape(at: i)
            } else if byte < 0x20 {
                throw JSONSyntaxError(offset: i, problem: .controlCharacterInString)
            } else {
                i += 1
            }
        }
    }

    /// The high bit of every byte of `word` (read little-endian) that is a quote, a backslash or
    /// below `lowest` (at most 0x80; by default the control characters). The has-zero-byte and
    /// has-less-than tricks can mark extra bytes only above a marked one, so the lowest mark is
    /// always exact.
    @inline(__always)
    static func attentionMask(_ word: UInt64, below lowest: UInt8 = 0x20) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let quote = (quotes &- ones) & ~quotes
        let backslash = (backslashes &- ones) & ~backslashes
        let below = (word &- ones &* UInt64(lowest)) & ~word
        return (quote | backslash | below) & 0x8080_8080_8080_8080
    }

    /// Checks the escape whose backslash is at `i` and returns the offset just after it.
    /// A high surrogate must be followed by an escaped low surrogate: the pair is one code point
    /// and a lone half has no UTF-8 form to unescape into (RFC 8259, section 8.2).
    private func endOfEscape(at i: Int) throws(JSONSyntaxError) -> Int {
        guard i + 1 < bytes.count else { throw JSONSyntaxError(offset: bytes.count, problem: .unexpectedEnd) }
        switch bytes[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = try hexQuad(at: i + 2, escapeStart: i)
            switch unit {
            case 0xD800...0xDBFF:
                guard i + 7 < bytes.count, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u") else {
                    throw JSONSyntaxError(offset: i, problem: .unpairedSurrogate)
                }
                let low = try hexQuad(at: i + 8, escapeStart: i + 6)
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONSyntaxError(offset: i, problem: .unpairedSurrogate) }
                return i + 12
            case 0xDC00...0xDFFF:
                throw JSONSyntaxError(offset: i, problem: .unpairedSurrogate)
            default:
                return i + 6
            }
        default:
            throw JSONSyntaxError(offset: i, problem: .invalidEscape)
        }
    }

    private func hexQuad(at i: Int, escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw JSONSyntaxError(offset: bytes.count, problem: .unexpectedEnd) }
        var value: UInt32 = 0
        for j in i..<i + 4 {
            guard let digit = JSONString.hexValue(bytes[j]) else {
                throw JSONSyntaxError(offset: escapeStart, problem: .invalidEscape)
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Scans the number at the cursor.
    mutating func scanNumber() throws(JSONSyntaxError) -> JSONNumberValue {
        let (end, value) = try JSONNumber.scan(bytes, from: position)
        position = end
        return value
    }

    /// Skips one value of any type, checking its syntax all the way down, so that a broken
    /// document is caught even inside a field the schema rejects. `depth` is the nesting level
    /// the value would open if it is an object or array. Nested objects are not checked for
    /// duplicate keys: every nested value is a schema violation already.
    mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        switch current {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            try skipContainer(depth: depth, close: UInt8(ascii: "}"), separatorProblem: .expectedCommaOrObjectEnd)
        case UInt8(ascii: "["):
            try skipContainer(depth: depth, close: UInt8(ascii: "]"), separatorProblem: .expectedCommaOrArrayEnd)
        case UInt8(ascii: "t"):
            try literal("true")
        case UInt8(ascii: "f"):
            try literal("false")
        case UInt8(ascii: "n"):
            try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        default:
            throw failure(.expectedValue)
        }
    }

    private mutating func skipContainer(
        depth: Int, close: UInt8, separatorProblem: JSONSyntaxError.Problem
    ) throws(JSONSyntaxError) {
        guard depth <= Self.maxDepth else { throw failure(.nestingTooDeep) }
        let isObject = close == UInt8(ascii: "}")
        position += 1
        skipWhitespace()
        if consume(close) { return }
        while true {
            if isObject {
                guard current == UInt8(ascii: "\"") else { throw failure(.expectedKey) }
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), else: .expectedColon)
                skipWhitespace()
            }
            try skipValue(depth: depth + 1)
            skipWhitespace()
            if consume(close) { return }
            try expect(UInt8(ascii: ","), else: separatorProblem)
            skipWhitespace()
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        let letters = UnsafeRawBufferPointer(start: word.utf8Start, count: length)
        for j in 0..<length {
            guard position + j < bytes.count else {
                throw JSONSyntaxError(offset: bytes.count, problem: .unexpectedEnd)
            }
            guard bytes[position + j] == letters[j] else {
                throw JSONSyntaxError(offset: position, problem: .invalidLiteral)
            }
        }
        position += length
    }
}
