/// The exact value of one JSON number, as far as an integer-typed schema field cares.
///
/// JSON Schema's "integer" is the mathematical notion: `2999.0`, `2.999e3` and `29990e-1` are
/// integers, `2999.0000000000000001` is not. A `Double` would round the last one to 2999, so the
/// value is worked out from the decimal digits instead.
enum JSONNumberValue: Sendable, Equatable {
    /// An integer that fits in `Int64` (`-0` is 0).
    case integer(Int64)
    /// An integer whose magnitude is beyond `Int64`, so outside every range the schemas allow.
    case hugeInteger
    /// A number with a non-zero fractional part.
    case fraction
}

/// Reads one number with the RFC 8259 grammar
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and classifies its exact value.
/// Owns nothing; the scanner calls it with its bytes and position.
enum JSONNumber {
    /// Digits an `Int64` can need; with more significant digits an integer is out of range.
    private static let maxSignificantDigits = 19
    /// Clamp for the exponent: far beyond where the result stops depending on it, far below overflow.
    private static let exponentClamp = 1_000_000_000

    /// Scans the number starting at `start` and returns where it ends and its value.
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONSyntaxError) -> (end: Int, value: JSONNumberValue) {
        if let plain = scanPlainInteger(bytes, from: start) { return plain }
        let count = bytes.count
        var i = start
        var negative = false
        if i < count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }

        // Every digit before the exponent gets an index k (integer digits first, then fraction
        // digits); its decimal position is (integerDigits - 1 - k) + exponent. Only the first 19
        // digits from the first non-zero one are accumulated: more are needed only by values
        // that are out of range or fractional, which the positions alone reveal.
        var k = 0
        var integerDigits = 0
        var firstNonZero = -1
        var lastNonZero = -1
        var significand: UInt64 = 0
        var accumulated = 0

        guard i < count, isDigit(bytes[i]) else {
            throw JSONSyntaxError(offset: i, problem: i < count ? .expectedDigit : .unexpectedEnd)
        }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            k = 1
            if i < count, isDigit(bytes[i]) { throw JSONSyntaxError(offset: i - 1, problem: .leadingZero) }
        } else {
            while i < count, isDigit(bytes[i]) {
                accumulate(bytes[i], index: k, &firstNonZero, &lastNonZero, &significand, &accumulated)
                i += 1
                k += 1
            }
        }
        integerDigits = k

        if i < count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < count, isDigit(bytes[i]) else {
                throw JSONSyntaxError(offset: i, problem: i < count ? .expectedDigit : .unexpectedEnd)
            }
            while i < count, isDigit(bytes[i]) {
                accumulate(bytes[i], index: k, &firstNonZero, &lastNonZero, &significand, &accumulated)
                i += 1
                k += 1
            }
        }

        var exponent = 0
        if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, isDigit(bytes[i]) else {
                throw JSONSyntaxError(offset: i, problem: i < count ? .expectedDigit : .unexpectedEnd)
            }
            while i < count, isDigit(bytes[i]) {
                if exponent < exponentClamp { exponent = exponent * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }

        guard firstNonZero >= 0 else { return (i, .integer(0)) }
        let lowestPosition = integerDigits - 1 - lastNonZero + exponent
        let highestPosition = integerDigits - 1 - firstNonZero + exponent
        if lowestPosition < 0 { return (i, .fraction) }
        if highestPosition >= maxSignificantDigits { return (i, .hugeInteger) }

        // Now every non-zero digit sits at positions 0…18, so all of them were accumulated; the
        // accumulated digits may run past position 0 with zeros, which are divided off exactly.
        let scale = highestPosition - (accumulated - 1)
        var magnitude = significand
        if scale < 0 {
            magnitude /= powerOfTen(-scale)
        } else {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: powerOfTen(scale))
            if overflow { return (i, .hugeInteger) }
            magnitude = product
        }
        guard magnitude <= UInt64(Int64.max) else { return (i, .hugeInteger) }
        return (i, .integer(negative ? -Int64(magnitude) : Int64(magnitude)))
    }

    /// The shape nearly every number on the wire has, epoch milliseconds and amounts: `-?0` or
    /// `-?[1-9][0-9]{0,17}`, not followed by a digit, `.`, `e` or `E`. Its value is its digits,
    /// read in one pass; nil for any other shape, which the general scan above reads (or refuses).
    @inline(__always)
    static func scanPlainInteger(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, value: JSONNumberValue)? {
        let count = bytes.count
        var i = start
        let negative = i < count && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let first = i
        var magnitude: Int64 = 0
        // 18 digits cannot overflow an Int64; a 19th sends the number to the general scan.
        while i < count, i - first < 18, isDigit(bytes[i]) {
            magnitude = magnitude &* 10 &+ Int64(bytes[i] &- UInt8(ascii: "0"))
            i += 1
        }
        guard i > first, i - first == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        if i < count, isDigit(bytes[i]) || bytes[i] == UInt8(ascii: ".") || bytes[i] | 0x20 == UInt8(ascii: "e") { return nil }
        return (i, .integer(negative ? -magnitude : magnitude))
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    private static func accumulate(
        _ byte: UInt8, index: Int,
        _ firstNonZero: inout Int, _ lastNonZero: inout Int,
        _ significand: inout UInt64, _ accumulated: inout Int
    ) {
        let digit = byte &- UInt8(ascii: "0")
        if digit != 0 {
            if firstNonZero < 0 { firstNonZero = index }
            lastNonZero = index
        }
        if firstNonZero >= 0, accumulated < maxSignificantDigits {
            significand = significand &* 10 &+ UInt64(digit)
            accumulated += 1
        }
    }

    /// 10^n for n in 0…19 (the largest that fits in UInt64).
    private static func powerOfTen(_ n: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<n { result &*= 10 }
        return result
    }
}
