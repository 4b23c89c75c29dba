import Testing
@testable import SegdCore

@Suite struct DecoderRejectionTests {
    @Test(arguments: ["", "click", "Clicks", "clicks.", "clicksx", "orders-eu", "deadletter", ".clicks"])
    func topicOtherThanTheThreeStreamsIsUnknown(topic: String) throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode(topic, DecoderSample.click).rejection)
        #expect(rejection.reason == .unknownTopic)
        #expect(rejection.detail.hasPrefix("unknown topic \"\(topic)\""))
    }

    @Test func unknownTopicDetailEscapesAndTruncatesTheTopic() throws {
        var decoder = EventDecoder()
        let topic: [UInt8] = Array("bad\"\\".utf8) + [0x00, 0xFF] + Array(repeating: UInt8(ascii: "x"), count: 100)
        let rejection = try topic.withUnsafeBytes { topicBytes in
            try Array(DecoderSample.click.utf8).withUnsafeBytes { payload in
                try #require(decoder.decode(topic: topicBytes, payload: payload).rejection)
            }
        }
        #expect(rejection.reason == .unknownTopic)
        #expect(rejection.detail.hasPrefix(#"unknown topic "bad\"\\\x00\xFFxxx"#))
        #expect(rejection.detail.contains("x\"…; expected"))
    }

    @Test func payloadOverTheLimitIsOversized() throws {
        var decoder = EventDecoder(maxPayloadBytes: 128)
        let padded = DecoderSample.click + String(repeating: " ", count: 128 - DecoderSample.click.utf8.count)
        #expect(decoder.decode("clicks", padded).event != nil)
        let rejection = try #require(decoder.decode("clicks", padded + " ").rejection)
        #expect(rejection == Rejection(.oversized, "payload is 129 bytes, more than the limit of 128"))
    }

    @Test func invalidUTF8IsReportedWithItsOffset() throws {
        var decoder = EventDecoder()
        let payload = Array(#"{"event_id":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        let rejection = try #require(decoder.decode(topic: "clicks", payload: payload).rejection)
        #expect(rejection == Rejection(.invalidUTF8, "invalid UTF-8 at byte 13: multi-byte sequence cut short"))
    }

    @Test func syntaxErrorIsMalformedJSONWithItsOffset() throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("clicks", #"{"event_id" "e"}"#).rejection)
        #expect(rejection == Rejection(.malformedJSON, "malformed JSON at byte 12: expected ':' after an object key"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("[]", "expected '{': the payload must be one JSON object"),
        ("{", "unexpected end of input"),
        (#"{"a":1,}"#, "expected a string key"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}' after an object member"),
        (#"{"a":[1 2]}"#, "expected ',' or ']' after an array element"),
        (#"{"a":tru}"#, "invalid literal (only true, false and null exist)"),
        (#"{"a":nul"#, "unexpected end of input"),
        (#"{"a":'x'}"#, "expected a JSON value"),
        ("{}x", "data after the end of the JSON object"),
        ("{} {}", "data after the end of the JSON object"),
        ("\u{FEFF}{}", "expected '{': the payload must be one JSON object"),
        (#"{"a":"\x"}"#, "invalid escape sequence in a string"),
        ("{\"a\":\"\t\"}", "unescaped control character (U+0000…U+001F) in a string"),
        (#"{"a":"abc"#, "unexpected end of input"),
    ])
    func everySyntaxErrorIsMalformedJSON(json: String, explanation: String) throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("clicks", json).rejection)
        #expect(rejection.reason == .malformedJSON)
        #expect(rejection.detail.hasSuffix(explanation), "\(rejection.detail)")
    }

    @Test func fieldNotInTheSchemaIsUnknownAndTheDetailListsTheAllowedOnes() throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("reviews", DecoderSample.review(rating: #"4,"colour":"red""#)).rejection)
        #expect(rejection == Rejection(
            .unknownField,
            #"field "colour" is not defined for reviews events; allowed: event_id, customer_id, ts, producer_id, producer_seq, product_id, rating"#
        ))
    }

    @Test(arguments: [
        ("clicks", #""rating":5"#), ("clicks", #""amount":1"#), ("orders", #""action":"view""#),
        ("orders", #""session_id":"s""#), ("reviews", #""category":"x""#), ("reviews", #""items":1"#),
    ])
    func fieldOfAnotherKindIsUnknown(topic: String, member: String) {
        var decoder = EventDecoder()
        #expect(decoder.decode(topic, DecoderSample.of(topic, adding: member)).reason == .unknownField)
    }

    @Test func keysDifferingOnlyInCaseOrSpacingAreUnknown() {
        var decoder = EventDecoder()
        #expect(decoder.decode("orders", DecoderSample.order(#""Items":2"#)).reason == .unknownField)
        #expect(decoder.decode("orders", DecoderSample.order(#""items ":2"#)).reason == .unknownField)
        #expect(decoder.decode("orders", DecoderSample.order(#""":2"#)).reason == .unknownField)
    }

    @Test func absentRequiredFieldIsMissing() throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("reviews", #"{"event_id":"e","customer_id":"c","ts":0}"#).rejection)
        #expect(rejection == Rejection(.missingField, #"missing required field "rating": expected integer 1…5"#))
        let several = try #require(decoder.decode("orders", #"{"event_id":"e","ts":0}"#).rejection)
        #expect(several == Rejection(.missingField, #"missing required fields "customer_id", "amount", "currency""#))
    }

    @Test func invalidFieldDetailNamesTheFieldAndWhatWouldBeRight() throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("reviews", DecoderSample.review(rating: "7")).rejection)
        #expect(rejection == Rejection(.invalidField, #"field "rating": expected integer 1…5, got 7"#))
        let currency = try #require(decoder.decode("orders", DecoderSample.order.replacingFirst(#""USD""#, with: #""usd""#)).rejection)
        #expect(currency == Rejection(.invalidField, #"field "currency": expected three upper-case letters A–Z (an ISO 4217 code such as "USD"), got "usd""#))
    }

    @Test func invalidFieldDetailShortensLongValues() throws {
        var decoder = EventDecoder()
        let json = #"{"event_id":"e","customer_id":"c","ts":0,"action":"view","extra":1}"#
            .replacingFirst(#""c""#, with: "[" + String(repeating: "1,\n", count: 100) + "1]")
            .replacingFirst(#","extra":1"#, with: "")
        let rejection = try #require(decoder.decode("clicks", json).rejection)
        #expect(rejection.reason == .invalidField)
        #expect(rejection.detail.contains(#"field "customer_id": expected a string"#))
        #expect(rejection.detail.contains("got [1, 1, 1, 1,"))
        #expect(rejection.detail.hasSuffix("…"))
        #expect(rejection.detail.utf8.count < 250)
    }

    @Test(arguments: [
        ("null", "producer_seq"), ("true", "producer_seq"), (#""5""#, "producer_seq"), ("[]", "producer_seq"),
        ("{}", "producer_seq"), ("-1", "producer_seq"), ("9007199254740992", "producer_seq"),
    ])
    func wrongTypeOrOutOfRangeIsInvalid(value: String, field: String) {
        var decoder = EventDecoder()
        // With its partner present, so the only fault is this value.
        let member = #"""# + field + #"":"# + value + #","producer_id":"p""#
        #expect(decoder.decode("orders", DecoderSample.order(member)).reason == .invalidField)
    }

    @Test(arguments: [
        (#""items":0"#, RejectReason?.some(.invalidField)), (#""items":1"#, nil), (#""items":100000"#, nil),
        (#""items":100001"#, .invalidField), (#""category":"""#, .invalidField), (#""category":" ""#, nil),
        (#""category":"\#(String(repeating: "a", count: 64))""#, nil),
        (#""category":"\#(String(repeating: "a", count: 65))""#, .invalidField),
        (#""producer_id":"\#(String(repeating: "~", count: 128))","producer_seq":1"#, nil),
        (#""producer_id":"\#(String(repeating: "!", count: 129))","producer_seq":1"#, .invalidField),
        (#""producer_id":"a b","producer_seq":1"#, .invalidField), (#""producer_id":"é","producer_seq":1"#, .invalidField),
        ("\"producer_id\":\"a\u{7F}\",\"producer_seq\":1", .invalidField),
        (#""producer_id":"a\n","producer_seq":1"#, .invalidField),
        (#""producer_id":"","producer_seq":1"#, .invalidField), (#""producer_seq":0,"producer_id":"p""#, nil),
    ])
    func boundaryValuesOfOrderFields(member: String, reason: RejectReason?) {
        var decoder = EventDecoder()
        #expect(decoder.decode("orders", DecoderSample.order(member)).reason == reason, "\(member)")
    }

    @Test(arguments: ["0", "1000000000000000000000", "100000000001", "-1"])
    func amountOutsideZeroToOneHundredBillionIsInvalid(amount: String) {
        var decoder = EventDecoder()
        let json = DecoderSample.order.replacingFirst("2999", with: amount)
        #expect(decoder.decode("orders", json).reason == (amount == "0" ? nil : .invalidField))
    }

    // MARK: - Precedence

    @Test func malformedJSONWinsOverEveryFieldFault() {
        var decoder = EventDecoder()
        #expect(decoder.decode("reviews", #"{"extra":1,"rating":9,"bad"}"#).reason == .malformedJSON)
    }

    @Test func unknownFieldWinsOverAnEarlierInvalidField() {
        var decoder = EventDecoder()
        #expect(decoder.decode("reviews", DecoderSample.review(rating: #"9,"extra":1"#)).reason == .unknownField)
    }

    @Test func firstInvalidFieldInDocumentOrderIsReported() throws {
        var decoder = EventDecoder()
        let json = #"{"event_id":"e","rating":0,"customer_id":" ","ts":0}"#
        let rejection = try #require(decoder.decode("reviews", json).rejection)
        #expect(rejection.reason == .invalidField)
        #expect(rejection.detail.hasPrefix(#"field "rating""#))
    }

    @Test func invalidFieldWinsOverMissingField() {
        var decoder = EventDecoder()
        #expect(decoder.decode("reviews", #"{"rating":0}"#).reason == .invalidField)
    }

    @Test func envelopeFaultsComeFirstInTheirOwnOrder() {
        var decoder = EventDecoder(maxPayloadBytes: 4)
        #expect(decoder.decode(topic: "x", payload: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).reason == .unknownTopic)
        #expect(decoder.decode(topic: "clicks", payload: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).reason == .oversized)
        #expect(decoder.decode(topic: "clicks", payload: [0x7B, 0xFF]).reason == .invalidUTF8)
    }

    @Test func rejectionAfterAValidEventLeavesTheDecoderUsable() throws {
        var decoder = EventDecoder()
        _ = decoder.decode("clicks", #"{"x":1,"x":2,"y":"\u0041"}"#)
        let event = try #require(decoder.decode("clicks", DecoderSample.click).event)
        #expect(decoder.string(event.eventID) == "e1")
    }
}
