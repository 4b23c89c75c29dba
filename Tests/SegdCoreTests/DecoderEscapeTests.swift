import Testing
@testable import SegdCore

@Suite struct DecoderEscapeTests {
    /// Unescapes the JSON string literal `literal` (quotes included) as the decoder would.
    private func unescape(_ literal: String) throws -> [UInt8] {
        let bytes = Array(literal.utf8)
        return try bytes.withUnsafeBytes { payload in
            var scanner = JSONScanner(payload)
            let token = try scanner.scanString()
            #expect(scanner.isAtEnd)
            var text: [UInt8] = []
            JSONString.appendValue(of: token, in: payload, to: &text)
            return text
        }
    }

    @Test func everyShortEscapeUnescapes() throws {
        #expect(try unescape(#""\"\\\/\b\f\n\r\t""#) == [0x22, 0x5C, 0x2F, 0x08, 0x0C, 0x0A, 0x0D, 0x09])
    }

    @Test func unicodeEscapesBecomeUTF8() throws {
        #expect(try unescape(#""\u0041\u00e9\u20AC\uFFFF""#) == Array("Aé€\u{FFFF}".utf8))
        #expect(try unescape(#""\u0000""#) == [0])
    }

    @Test func surrogatePairEscapeBecomesOneFourByteCharacter() throws {
        #expect(try unescape(#""x\ud83d\ude00y""#) == Array("x😀y".utf8))
        #expect(try unescape(#""\uDBFF\uDFFF""#) == Array("\u{10FFFF}".utf8))
    }

    @Test func rawNonASCIIPassesThrough() throws {
        #expect(try unescape("\"é😀\u{7F}\"") == Array("é😀\u{7F}".utf8))
    }

    @Test(arguments: [#""\ud800""#, #""\ud800x""#, #""\udc00""#, #""\ud83d\u0041""#, #""\ud83d\ud83d""#])
    func unpairedSurrogateEscapeIsMalformed(literal: String) {
        #expect(throws: JSONSyntaxError.self) { try unescape(literal) }
        var decoder = EventDecoder()
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""extra":"# + literal)).reason == .malformedJSON)
    }

    @Test(arguments: [#""\x41""#, #""\u12""#, #""\u12G4""#, #""\U0041""#, #""\""#, #""\'""#])
    func invalidEscapeIsMalformed(literal: String) {
        var decoder = EventDecoder()
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""extra":"# + literal)).reason == .malformedJSON)
    }

    @Test func escapedValuesAreUnescapedBeforeTheSchemaPatternApplies() throws {
        var decoder = EventDecoder()
        let json = #"{"event_id":"a\/b\u0021","customer_id":"\u0063\u0031","ts":"2026\u002d01-01T00:00:00Z","action":"vie\u0077"}"#
        let event = try #require(decoder.decode("clicks", json).event)
        #expect(decoder.string(event.eventID) == "a/b!")
        #expect(decoder.string(event.customerID) == "c1")
        #expect(event.timestamp == 1_767_225_600_000)
        #expect(event.action == .view)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""category":"tab\there""#)).reason == .invalidField)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""category":"\u00e9""#)).reason == .invalidField)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""category":"\u0020""#)).reason == nil)
    }

    @Test func escapedKeyNamesTheSameField() throws {
        var decoder = EventDecoder()
        let event = try #require(decoder.decode("reviews", #"{"event_\u0069d":"e","customer_id":"c","ts":0,"r\u0061ting":2}"#).event)
        #expect(event.rating == 2)
        #expect(decoder.string(event.eventID) == "e")
    }

    @Test func unknownFieldDetailShowsTheUnescapedKey() throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""c\u00f6l\"our":1"#)).rejection)
        #expect(rejection.reason == .unknownField)
        #expect(rejection.detail.hasPrefix(#"field "c\xC3\xB6l\"our" is not defined"#))
    }
}
