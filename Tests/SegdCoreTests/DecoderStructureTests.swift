import Testing
@testable import SegdCore

@Suite struct DecoderStructureTests {
    private func nested(depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test func nestedUnknownFieldIsScannedAndReportedAsUnknown() {
        var decoder = EventDecoder()
        let member = #""extra":{"a":[1,{"b":null,"c":"\u00e9"}],"d":{},"e":[],"f":-1.5e3}"#
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: member)).reason == .unknownField)
    }

    @Test(arguments: [#"{"a":[1,}"#, #"{"a":[1 2]}"#, #"{"a" 1}"#, #"[{"a":01}]"#, #"{"a":"\q"}"#, #"{1:2}"#, "[", #"{"a":tru}"#])
    func malformedJSONInsideAnUnknownFieldIsStillMalformed(value: String) {
        var decoder = EventDecoder()
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""extra":"# + value)).reason == .malformedJSON)
    }

    @Test func malformedJSONInsideAFieldOfTheWrongTypeIsStillMalformed() {
        var decoder = EventDecoder()
        #expect(decoder.decode("reviews", DecoderSample.review(rating: "[1,2,]")).reason == .malformedJSON)
        #expect(decoder.decode("reviews", DecoderSample.review(rating: "[1,2]")).reason == .invalidField)
    }

    @Test func nestingUpToThirtyTwoLevelsIsWellFormed() {
        var decoder = EventDecoder()
        // The event object is level 1, so 31 brackets inside it reach level 32.
        let member = #""extra":"# + nested(depth: JSONScanner.maxDepth - 1)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: member)).reason == .unknownField)
    }

    @Test func nestingDeeperThanThirtyTwoLevelsIsMalformed() throws {
        var decoder = EventDecoder()
        let member = #""extra":"# + nested(depth: JSONScanner.maxDepth)
        let rejection = try #require(decoder.decode("clicks", DecoderSample.of("clicks", adding: member)).rejection)
        #expect(rejection.reason == .malformedJSON)
        #expect(rejection.detail.hasSuffix("nesting deeper than 32 levels"))
    }

    @Test func veryDeepNestingIsRejectedWithoutExhaustingTheStack() {
        var decoder = EventDecoder()
        let member = #""extra":"# + String(repeating: #"{"a":"#, count: 10_000)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: member)).reason == .malformedJSON)
    }

    @Test(arguments: [
        #""event_id":"e1""#, #""event_id":"other""#, #""event_\u0069d":"e1""#, #""ts":0"#, #""action":"search""#,
    ])
    func duplicateSchemaKeyIsMalformed(member: String) throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("clicks", DecoderSample.of("clicks", adding: member)).rejection)
        #expect(rejection.reason == .malformedJSON)
        #expect(rejection.detail.hasSuffix("duplicate key in the event object"))
    }

    @Test func duplicateUnknownKeyIsMalformed() {
        var decoder = EventDecoder()
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""x":1,"y":2,"\u0078":3"#)).reason == .malformedJSON)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""rating":1,"rating":2"#)).reason == .malformedJSON)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""x":1,"y":2,"X":3"#)).reason == .unknownField)
    }

    @Test func duplicateKeysInsideNestedValuesDoNotMatterBecauseNestedValuesAreRejectedAnyway() {
        var decoder = EventDecoder()
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""x":{"a":1,"a":2}"#)).reason == .unknownField)
    }

    @Test(arguments: ["", " ", "null", "[]", #""event""#, "1", "{} {}", "{}}", "{},"])
    func payloadThatIsNotExactlyOneObjectIsMalformed(json: String) {
        var decoder = EventDecoder()
        #expect(decoder.decode("orders", json).reason == .malformedJSON)
    }

    @Test func emptyObjectIsMissingEveryRequiredField() {
        var decoder = EventDecoder()
        #expect(decoder.decode("orders", "{}").reason == .missingField)
    }
}
