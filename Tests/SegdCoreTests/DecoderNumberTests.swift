import Testing
@testable import SegdCore

@Suite struct DecoderNumberTests {
    private func value(_ text: String) throws -> JSONNumberValue {
        try Array(text.utf8).withUnsafeBytes { bytes in
            let (end, value) = try JSONNumber.scan(bytes, from: 0)
            #expect(end == bytes.count, "\(text) not scanned to its end")
            return value
        }
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-0", 0), ("-0.0", 0), ("0.000", 0), ("0e999999999999999999999", 0), ("0E-5", 0),
        ("2999", 2999), ("2999.0", 2999), ("2999.000", 2999), ("2.999e3", 2999), ("2.999E+3", 2999),
        ("29990e-1", 2999), ("0.2999e4", 2999), ("299900000000000000000000e-20", 2999), ("-42", -42),
        ("1" + String(repeating: "0", count: 30) + "e-30", 1), ("0.0000000000000000000000000003e28", 3),
        ("9223372036854775807", Int64.max), ("922337203685477580.7e1", Int64.max), ("1e18", 1_000_000_000_000_000_000),
        ("100000000000000000000000000000e-11", 1_000_000_000_000_000_000), ("5e-0", 5), ("1e07", 10_000_000),
        ("1767225600000", 1_767_225_600_000), ("123456789012345678", 123_456_789_012_345_678),
        ("-123456789012345678", -123_456_789_012_345_678), ("1234567890123456789", 1_234_567_890_123_456_789),
    ] as [(String, Int64)])
    func numbersWithAnExactIntegerValueAreIntegers(text: String, expected: Int64) throws {
        #expect(try value(text) == .integer(expected))
    }

    @Test(arguments: [
        "29.5", "0.5", "-0.5", "1e-400", "2999.0000000000000001", "3.9999999999999999999", "1.5e0",
        "1" + String(repeating: "0", count: 30) + "1e-30", "12345678901234567890123.5",
        "1e-1000000000000000000000",
    ] as [String])
    func numbersWithAFractionalPartAreNotIntegers(text: String) throws {
        #expect(try value(text) == .fraction)
    }

    @Test(arguments: [
        "9223372036854775808", "-9223372036854775809", "1e19", "1e400", "-1e400", "1" + String(repeating: "0", count: 400),
        "1e1000000000000000000000", "12345678901234567890123",
    ] as [String])
    func integersBeyondInt64AreHuge(text: String) throws {
        #expect(try value(text) == .hugeInteger)
    }

    @Test(arguments: [
        ("01", JSONSyntaxError.Problem.leadingZero), ("-01", .leadingZero), ("00", .leadingZero), ("-", .unexpectedEnd),
        ("-a", .expectedDigit), ("1.", .unexpectedEnd), ("1.e3", .expectedDigit), ("1e", .unexpectedEnd),
        ("1e+", .unexpectedEnd), ("1e+x", .expectedDigit), ("+1", .expectedDigit), (".5", .expectedDigit),
    ])
    func numbersOutsideTheGrammarAreSyntaxErrors(text: String, problem: JSONSyntaxError.Problem) {
        #expect(throws: JSONSyntaxError.self) { try value(text) }
        do { _ = try value(text) } catch let error as JSONSyntaxError {
            #expect(error.problem == problem)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test(arguments: [
        ("2999.0", Int64?.some(2999)), ("2.999e3", 2999), ("29990e-1", 2999), ("-0", 0), ("0", 0),
        ("100000000000", 100_000_000_000), ("1e11", 100_000_000_000), ("29.5", nil), ("1e400", nil),
        ("100000000001", nil), ("-1", nil), ("2999.0000000000000001", nil),
    ])
    func integerFieldsAcceptExactlyTheIntegersInRange(amount: String, expected: Int64?) {
        var decoder = EventDecoder()
        let result = decoder.decode("orders", DecoderSample.order.replacingFirst("2999", with: amount))
        #expect(result.event?.amountMinor == expected)
        if expected == nil { #expect(result.reason == .invalidField) }
    }

    @Test(arguments: ["01", "-", "1.", ".5", "+1", "1e", "NaN", "Infinity", "-Infinity", "0x10"])
    func numberSyntaxErrorsInAFieldAreMalformedJSON(rating: String) {
        var decoder = EventDecoder()
        #expect(decoder.decode("reviews", DecoderSample.review(rating: rating)).reason == .malformedJSON)
    }

    @Test(arguments: [("4", UInt8?.some(4)), ("4.0", 4), ("40e-1", 4), ("0", nil), ("6", nil), ("4.5", nil), (#""4""#, nil), ("true", nil)])
    func ratingIsAnIntegerOneToFive(rating: String, expected: UInt8?) {
        var decoder = EventDecoder()
        #expect(decoder.decode("reviews", DecoderSample.review(rating: rating)).event?.rating == expected)
    }
}
