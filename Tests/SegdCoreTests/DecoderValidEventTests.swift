import Testing
@testable import SegdCore

@Suite struct DecoderValidEventTests {
    @Test func clickWithEveryOptionalFieldDecodesEveryField() throws {
        var decoder = EventDecoder()
        let json = #"""
        {"event_id":"clk-7f3a9c","customer_id":"cust-000042","ts":"2026-03-14T09:26:53.589Z",
         "producer_id":"web-3","producer_seq":184467,"action":"add_to_cart","product_id":"sku-19922",
         "category":"Home & Garden","session_id":"sess-55e1"}
        """#
        let event = try #require(decoder.decode("clicks", json).event)
        #expect(event.kind == .click)
        #expect(event.timestamp == 1_773_480_413_589)
        #expect(decoder.string(event.eventID) == "clk-7f3a9c")
        #expect(decoder.string(event.customerID) == "cust-000042")
        #expect(decoder.string(event.producerID) == "web-3")
        #expect(event.producerSeq == 184_467)
        #expect(event.action == .addToCart)
        #expect(decoder.string(event.productID) == "sku-19922")
        #expect(decoder.string(event.category) == "Home & Garden")
        #expect(decoder.string(event.sessionID) == "sess-55e1")
    }

    @Test func orderWithEveryOptionalFieldDecodesEveryField() throws {
        var decoder = EventDecoder()
        let json = #"""
        {"event_id":"ord-1","customer_id":"cust-9","ts":1773480662000,"amount":2999,"currency":"EUR",
         "items":3,"category":"Electronics","producer_id":"checkout","producer_seq":0}
        """#
        let event = try #require(decoder.decode("orders.eu", json).event)
        #expect(event.kind == .order)
        #expect(event.timestamp == 1_773_480_662_000)
        #expect(event.amountMinor == 2999)
        #expect(event.currency == CurrencyCode("EUR"))
        #expect(event.items == 3)
        #expect(decoder.string(event.category) == "Electronics")
        #expect(decoder.string(event.producerID) == "checkout")
        #expect(event.producerSeq == 0)
    }

    @Test func reviewWithEveryOptionalFieldDecodesEveryField() throws {
        var decoder = EventDecoder()
        let json = #"""
        {"event_id":"rev-1","customer_id":"cust-9","ts":"2026-03-20T18:00:00.000000001Z","rating":5,
         "product_id":"sku-1","producer_id":"reviews-api","producer_seq":9007199254740991}
        """#
        let event = try #require(decoder.decode("reviews", json).event)
        #expect(event.kind == .review)
        #expect(event.timestamp == 1_774_029_600_000)
        #expect(event.rating == 5)
        #expect(decoder.string(event.productID) == "sku-1")
        #expect(decoder.string(event.producerID) == "reviews-api")
        #expect(event.producerSeq == 9_007_199_254_740_991)
    }

    @Test func absentOptionalFieldsTakeTheirDefaults() throws {
        var decoder = EventDecoder()
        let event = try #require(decoder.decode("orders", DecoderSample.order).event)
        #expect(event.items == 1)
        #expect(event.category == nil)
        #expect(event.producerID == nil)
        #expect(event.producerSeq == nil)
    }

    @Test(arguments: ClickAction.allCases)
    func everyClickActionDecodesFromItsWireName(action: ClickAction) throws {
        var decoder = EventDecoder()
        let json = #"{"event_id":"e","customer_id":"c","ts":0,"action":""# + action.name + #""}"#
        #expect(try #require(decoder.decode("clicks", json).event).action == action)
    }

    @Test(arguments: ["clicks", "clicks.eu", "clicks.a.b", "clicks..", "clicks. "])
    func topicWithOrWithoutSuffixSelectsTheKind(topic: String) {
        var decoder = EventDecoder()
        #expect(decoder.decode(topic, DecoderSample.click).event?.kind == .click)
    }

    @Test func whitespaceAroundAndInsideTheObjectIsAllowed() {
        var decoder = EventDecoder()
        let json = " \r\n\t{ \"event_id\" :\t\"e\" ,\n\"customer_id\":\"c\", \"ts\" : 0 , \"rating\" : 1 }\n "
        #expect(decoder.decode("reviews", json).event != nil)
    }

    @Test func textHoldsThePayloadOfTheEventDecodedLastAndItsStringsPointIntoIt() throws {
        var decoder = EventDecoder()
        _ = decoder.decode("clicks", #"{"event_id":"first-event","customer_id":"first-customer","ts":0,"action":"view"}"#)
        let event = try #require(decoder.decode("reviews", DecoderSample.review).event)
        #expect(decoder.text == Array(DecoderSample.review.utf8))
        #expect(decoder.string(event.eventID) == "e3")
        #expect(decoder.string(event.customerID) == "c1")
    }

    @Test func onlyKeptStringsWithEscapesAreUnescapedAfterThePayload() throws {
        var decoder = EventDecoder()
        // The escaped ts and currency are read, not kept; the escaped customer_id is kept.
        let json = #"{"event_id":"e","customer_id":"c\u0031","ts":"2026-01-01T00:00:00\u005A","amount":1,"currency":"US\u0044"}"#
        let event = try #require(decoder.decode("orders", json).event)
        #expect(decoder.text == Array(json.utf8) + Array("c1".utf8))
        #expect(decoder.string(event.eventID) == "e")
        #expect(decoder.string(event.customerID) == "c1")
        #expect(event.currency == CurrencyCode(UInt8(ascii: "U"), UInt8(ascii: "S"), UInt8(ascii: "D")))
    }

    @Test func anEscapedStringThatIsRefusedLeavesNothingAfterThePayload() {
        var decoder = EventDecoder()
        let json = #"{"event_id":"e\u0020f","customer_id":"c","ts":0,"action":"view"}"#
        #expect(decoder.decode("clicks", json).reason == .invalidField)
        #expect(decoder.text == Array(json.utf8))
    }
}
