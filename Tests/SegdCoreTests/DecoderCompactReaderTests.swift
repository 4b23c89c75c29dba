import Testing
@testable import SegdCore

/// `CompactEventReader` must decide nothing on its own: every payload decodes through
/// `EventDecoder.decode` exactly as the full decoder alone decodes it (same event, same text,
/// same producer stamp, same rejection), and the events producers send take the compact path.
@Suite struct DecoderCompactReaderTests {
    /// Events with every field and value shape the reader takes, limits included.
    static let samples: [(topic: String, json: String)] = [
        ("clicks", #"{"event_id":"clk-7f3a9c","customer_id":"cust-000042","ts":"2026-03-14T09:26:53.589Z","producer_id":"web-3","producer_seq":184467,"action":"add_to_cart","product_id":"sku-19922","category":"Home & Garden","session_id":"sess-55e1"}"#),
        ("clicks.web", #"{"action":"remove_from_cart","ts":"2026-12-31T23:59:59.123456789Z","customer_id":"~!#$%&'()*+-./09:;<=>?@AZ[]^_`az{|}","event_id":"e"}"#),
        ("clicks", #"{"event_id":"e-2","customer_id":"c","ts":1773480413589,"action":"wishlist","category":" "}"#),
        ("orders", #"{"event_id":"ord-1","customer_id":"cust-9","ts":1773480662000,"amount":2999,"currency":"EUR","items":3,"category":"Electronics","producer_id":"checkout","producer_seq":0}"#),
        ("orders", #"{"event_id":"e","customer_id":"c","ts":0,"amount":0,"currency":"USD","items":100000}"#),
        ("orders", #"{"event_id":"e","customer_id":"c","ts":253402300799999,"amount":100000000000,"currency":"ZZZ","producer_seq":9007199254740991,"producer_id":"p"}"#),
        ("reviews", #"{"event_id":"rev-1","customer_id":"c1","ts":"2026-03-14T09:26:53Z","rating":5,"product_id":"sku-1"}"#),
        ("reviews", #"{"rating":1,"ts":"2024-02-29T00:00:00.5Z","customer_id":"c1","event_id":"rev-2"}"#),
        // Python's json.dumps with its default separators.
        ("orders", #"{"event_id": "o-7", "customer_id": "c-7", "ts": 1773480662000, "amount": 1250, "currency": "USD", "items": 2}"#),
        ("clicks", #"{"event_id":""# + String(repeating: "i", count: 128) + #"","customer_id":"c","ts":1,"action":"view","category":""#
            + String(repeating: "k", count: 64) + #""}"#),
    ]

    @Test func samplesAndGeneratedEventsTakeTheCompactPath() {
        for sample in Self.samples {
            let outcome = Outcome(topic: sample.topic, payload: Array(sample.json.utf8))
            #expect(outcome.readCompactly, "\(sample.json)")
            #expect(outcome.agrees, "\(sample.json)")
        }
        var generator = EventGenerator(options: .init(seed: 7, customers: 1_000))
        for n in 0..<3_000 {
            let (kind, generated) = generator.next(at: 1_767_225_600_000 + Int64(n) * 997)
            for json in [generated, Self.spaced(generated)] {
                let outcome = Outcome(topic: kind.topic, payload: json)
                #expect(outcome.readCompactly && outcome.agrees, "\(String(decoding: json, as: UTF8.self))")
            }
        }
    }

    /// Damaged copies of valid events: a byte replaced, inserted or removed, or a piece repeated,
    /// once or twice. Most become invalid or leave the compact form; some stay valid and compact
    /// (a digit changed, say), so both paths are exercised.
    @Test func damagedEventsDecodeAsTheFullDecoderDecodesThem() {
        var random = SeededRandom(seed: 11)
        var generator = EventGenerator(options: .init(seed: 3, customers: 100))
        var originals = Self.samples.map { (topic: $0.topic, payload: Array($0.json.utf8)) }
        for n in 0..<200 {
            let (kind, json) = generator.next(at: 1_767_225_600_000 + Int64(n) * 86_400_000)
            originals.append((kind.topic, json))
            originals.append((kind.topic, Self.spaced(json)))
        }
        var readCompactly = 0
        var disagreements = 0
        for _ in 0..<40_000 {
            let original = originals[Int(random.next() % UInt64(originals.count))]
            var payload = original.payload
            for _ in 0...(random.next() % 2) { Self.damage(&payload, &random) }
            let outcome = Outcome(topic: original.topic, payload: payload)
            if outcome.readCompactly { readCompactly += 1 }
            if !outcome.agrees {
                disagreements += 1
                if disagreements <= 5 { Issue.record("decoded unlike the full decoder: \(String(decoding: payload, as: UTF8.self))") }
            }
        }
        #expect(disagreements == 0)
        #expect(readCompactly > 2_000, "only \(readCompactly) damaged events stayed compact and valid")
    }

    /// Generated JSON as Python's `json.dumps` writes it by default: a space after every colon
    /// and comma between members (the generated values hold neither).
    static func spaced(_ json: [UInt8]) -> [UInt8] {
        Array(String(decoding: json, as: UTF8.self).replacing("\":", with: "\": ").replacing(",\"", with: ", \"").utf8)
    }

    /// Bytes that mean something to JSON, to the schemas or to UTF-8.
    static let damagingBytes: [UInt8] = Array(#""\ 019-+.eE{}[],:uaZTn"#.utf8) + [0x00, 0x09, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xA9, 0xC3, 0xFF]

    static func damage(_ payload: inout [UInt8], _ random: inout SeededRandom) {
        guard !payload.isEmpty else { return }
        let at = Int(random.next() % UInt64(payload.count))
        let byte = damagingBytes[Int(random.next() % UInt64(damagingBytes.count))]
        switch random.next() % 5 {
        case 0: payload[at] = byte
        case 1: payload.insert(byte, at: at)
        case 2: payload.remove(at: at)
        case 3:
            let length = min(1 + Int(random.next() % 24), payload.count - at)
            payload.insert(contentsOf: payload[at..<at + length], at: Int(random.next() % UInt64(payload.count)))
        default:
            // A digit changed: keeps most numbers and timestamps valid.
            payload[at] = UInt8(ascii: "0") + UInt8(random.next() % 10)
        }
    }

    /// One payload decoded by `EventDecoder.decode` and by the full decoder alone.
    struct Outcome {
        var readCompactly: Bool
        var agrees: Bool

        init(topic: String, payload: [UInt8]) {
            let kind = EventKind.allCases.first { topic.hasPrefix($0.topic) }!
            var compact = DecodedEvent.blank()
            readCompactly = payload.withUnsafeBytes { CompactEventReader.read(kind, $0, into: &compact) }

            var decoder = EventDecoder()
            let result = decoder.decode(topic: topic, payload: payload)
            var fullDecoder = EventDecoder()
            var full = DecodedEvent.blank()
            let fullRejection = payload.withUnsafeBytes { fullDecoder.decodeInFull(kind, $0, into: &full) }

            switch result {
            case .success(let event):
                agrees = fullRejection == nil && event == full && decoder.producerStamp == fullDecoder.producerStamp
                    && Self.texts(of: event, in: decoder) == Self.texts(of: full, in: fullDecoder)
                    && (!readCompactly || compact == event)
            case .failure(let rejection):
                agrees = rejection == fullRejection && !readCompactly
            }
        }

        static func texts(of event: DecodedEvent, in decoder: EventDecoder) -> [String?] {
            [event.eventID, event.customerID, event.category, event.productID, event.sessionID, event.producerID].map(decoder.string)
        }
    }
}
