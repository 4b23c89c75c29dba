import Testing
@testable import SegdCore

/// `producer_id` and `producer_seq`: required together (the schemas' `producer_stamp`), and kept
/// as ``EventDecoder/producerStamp`` for gap detection whenever the message had a valid one.
@Suite struct DecoderProducerStampTests {
    @Test(arguments: ["clicks", "orders.eu", "reviews"])
    func eitherStampFieldAloneIsAMissingPartner(topic: String) throws {
        var decoder = EventDecoder()
        let idOnly = try #require(decoder.decode(topic, DecoderSample.of(topic, adding: #""producer_id":"p-1""#)).rejection)
        #expect(idOnly == Rejection(.missingField,
            #"missing required field "producer_seq" (it comes with "producer_id"): expected integer 0…9007199254740991"#))
        #expect(decoder.producerStamp == nil)

        let seqOnly = try #require(decoder.decode(topic, DecoderSample.of(topic, adding: #""producer_seq":7"#)).rejection)
        #expect(seqOnly.reason == .missingField)
        #expect(seqOnly.detail.hasPrefix(#"missing required field "producer_id" (it comes with "producer_seq"): expected a string"#))
        #expect(decoder.producerStamp == nil)
    }

    @Test func aMissingPartnerIsListedWithTheOtherMissingFields() throws {
        var decoder = EventDecoder()
        let rejection = try #require(decoder.decode("orders", #"{"event_id":"e","producer_seq":1,"ts":0}"#).rejection)
        #expect(rejection == Rejection(.missingField, #"missing required fields "customer_id", "producer_id", "amount", "currency""#))
    }

    @Test func anInvalidStampFieldIsInvalidBeforeItsPartnerIsMissing() {
        var decoder = EventDecoder()
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""producer_id":"a b""#)).reason == .invalidField)
        #expect(decoder.decode("clicks", DecoderSample.of("clicks", adding: #""producer_seq":-1"#)).reason == .invalidField)
    }

    @Test func aValidEventCarriesItsStamp() throws {
        var decoder = EventDecoder()
        let json = DecoderSample.of("reviews", adding: #""producer_seq":42.0,"producer_id":"rev\u0069ews-api""#)
        let event = try #require(decoder.decode("reviews", json).event)
        let stamp = try #require(decoder.producerStamp)
        #expect(stamp.seq == 42)
        #expect(stamp.id == event.producerID)
        #expect(decoder.string(stamp.id) == "reviews-api")
    }

    @Test func anEventRefusedForAnotherFaultStillCarriesItsStamp() throws {
        // The message arrived, so it is no gap, although it is dead-lettered.
        var decoder = EventDecoder()
        let unknown = DecoderSample.of("orders", adding: #""producer_id":"shop","producer_seq":3,"coupon":"X""#)
        #expect(decoder.decode("orders", unknown).reason == .unknownField)
        #expect(decoder.producerStamp?.seq == 3)
        #expect(decoder.string(decoder.producerStamp?.id) == "shop")

        let invalid = #"{"event_id":"e","customer_id":"c","ts":0,"rating":9,"producer_id":"rv","producer_seq":4}"#
        #expect(decoder.decode("reviews", invalid).reason == .invalidField)
        #expect(decoder.producerStamp?.seq == 4)
        #expect(decoder.string(decoder.producerStamp?.id) == "rv")

        #expect(decoder.decode("clicks", #"{"producer_id":"web","producer_seq":5}"#).reason == .missingField)
        #expect(decoder.producerStamp?.seq == 5)
    }

    @Test func noStampAfterAnEnvelopeFaultOrMalformedJSONOrWithoutOne() throws {
        var decoder = EventDecoder(maxPayloadBytes: 200)
        let stamped = DecoderSample.of("clicks", adding: #""producer_id":"web","producer_seq":1"#)
        #expect(decoder.decode("clicks", stamped).event != nil)
        #expect(decoder.producerStamp != nil)

        #expect(decoder.decode("refunds", stamped).reason == .unknownTopic)
        #expect(decoder.producerStamp == nil)

        #expect(decoder.decode("clicks", stamped).event != nil)
        #expect(decoder.decode("clicks", stamped + String(repeating: " ", count: 200)).reason == .oversized)
        #expect(decoder.producerStamp == nil)

        #expect(decoder.decode("clicks", stamped).event != nil)
        #expect(decoder.decode("clicks", #"{"producer_id":"web","producer_seq":2,"#).reason == .malformedJSON)
        #expect(decoder.producerStamp == nil)

        #expect(decoder.decode("clicks", stamped).event != nil)
        #expect(decoder.decode("clicks", DecoderSample.click).event != nil)
        #expect(decoder.producerStamp == nil)
    }
}
