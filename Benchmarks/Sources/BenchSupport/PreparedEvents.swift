public import SegdCore

/// A prepared stream of generated events in wire form, all payloads in one buffer, that can be
/// replayed any number of times as fresh events: pass `p` rewrites each `event_id`'s four-digit
/// pass suffix and shifts each `ts` by `p` periods, so a long-lived engine sees new ids (no
/// duplicates) at later times (nothing late), for the same customers — a steady state.
///
/// Events come from ``EventGenerator`` (seed, customers and Zipf skew as given; 80 % clicks,
/// 15 % orders, 5 % reviews), spaced with exponential gaps to cover `span` of event time, like
/// `segd generate`. With `compact` false each payload has a space after its `{` and before its
/// `}`, which takes it out of the compact form (`CompactEventReader`): the full decoder reads it.
/// With a `shard`, only the events of the customers that shard owns are kept, at their times in
/// the whole stream. Not thread-safe; one benchmark (or one shard's thread) owns it.
public final class PreparedEvents {
    public let count: Int
    public private(set) var payloads: [UInt8] = []
    /// `payloads[offsets[i]..<offsets[i + 1]]` is event `i`.
    public private(set) var offsets: [Int] = []
    public private(set) var kinds: [EventKind] = []
    /// Event time of each event in pass 0.
    public private(set) var baseTimestamps: [Int64] = []
    /// Where the four pass digits of each `event_id` and the 13 digits of each `ts` sit in `payloads`.
    private var passDigitOffsets: [Int] = []
    private var timestampOffsets: [Int] = []
    /// Event time between the same event in consecutive passes: the span plus one mean gap.
    public let period: Int64
    public static let maxPasses = 100

    public static let topics: [[UInt8]] = EventKind.allCases.map { Array($0.topic.utf8) }

    public init(
        count: Int, customers: Int = 100_000, skew: Double = EventGenerator.Options().skew, seed: UInt64 = 1, start: Int64 = 1_767_225_600_000,
        span: Int64 = 90 * 86_400_000, compact: Bool = true, shard: CustomerShard? = nil
    ) {
        var generator = EventGenerator(options: .init(seed: seed, customers: customers, skew: skew))
        let meanGap = Double(span) / Double(count)
        payloads.reserveCapacity(count * 140)
        offsets.reserveCapacity(count + 1)
        var time = start
        for _ in 0..<count {
            let (kind, generated) = generator.next(at: time)
            defer { time += generator.exponentialGap(mean: meanGap) }
            guard shard?.owns(customerOf: generated) ?? true else { continue }
            let json = compact ? generated : [UInt8(ascii: "{"), UInt8(ascii: " ")] + generated.dropFirst().dropLast() + [UInt8(ascii: " "), UInt8(ascii: "}")]
            offsets.append(payloads.count)
            kinds.append(kind)
            baseTimestamps.append(time)
            Self.append(json, suffixingEventID: &payloads, passDigits: &passDigitOffsets, timestamp: &timestampOffsets)
        }
        self.count = kinds.count
        offsets.append(payloads.count)
        period = (time - start) + Int64(meanGap)
        // 13 digits hold every pass's time; 4 digits every pass number.
        precondition(start >= 1_000_000_000_000 && time + period * Int64(Self.maxPasses) < 10_000_000_000_000)
    }

    /// Copies `json`, turning `"event_id":"X"` into `"event_id":"X-0000"` and noting where the pass
    /// digits and the `ts` digits are.
    private static func append(_ json: [UInt8], suffixingEventID out: inout [UInt8], passDigits: inout [Int], timestamp: inout [Int]) {
        let tsKey = Array("\"ts\":".utf8)
        let idEnd = stringValue(of: "event_id", in: json).upperBound
        out.append(contentsOf: json[..<idEnd])
        out.append(UInt8(ascii: "-"))
        passDigits.append(out.count)
        out.append(contentsOf: Array("0000".utf8))
        let base = out.count - idEnd
        out.append(contentsOf: json[idEnd...])
        guard let tsStart = json.firstRange(of: tsKey)?.upperBound, json.count >= tsStart + 13,
              json[tsStart..<tsStart + 13].allSatisfy({ (0x30...0x39).contains($0) }) else { fatalError("generator payload without a 13-digit ts") }
        timestamp.append(tsStart + base)
    }

    /// Rewrites the stream in place as pass `pass` (0 ..< ``maxPasses``).
    public func preparePass(_ pass: Int) {
        precondition((0..<Self.maxPasses).contains(pass))
        let shift = Int64(pass) * period
        payloads.withUnsafeMutableBufferPointer { bytes in
            for index in 0..<count {
                Self.writeDigits(Int64(pass), width: 4, into: bytes, at: passDigitOffsets[index])
                Self.writeDigits(baseTimestamps[index] + shift, width: 13, into: bytes, at: timestampOffsets[index])
            }
        }
    }

    public static func writeDigits(_ value: Int64, width: Int, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var rest = value
        for position in stride(from: offset + width - 1, through: offset, by: -1) {
            bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    /// Calls `body` with events `indices` as messages, valid during the call; what a file reader
    /// hands `Pipeline.ingest(_:receivedAt:afterEach:)`.
    public func withMessages<R>(_ indices: Range<Int>, _ body: (UnsafeBufferPointer<RawMessage>) -> R) -> R {
        Self.allTopics.withUnsafeBytes { topics in
            payloads.withUnsafeBytes { all in
                messages.removeAll(keepingCapacity: true)
                for index in indices {
                    let topic = Self.topicRanges[Int(kinds[index].rawValue)]
                    messages.append(RawMessage(
                        topic: UnsafeRawBufferPointer(rebasing: topics[topic]),
                        payload: UnsafeRawBufferPointer(rebasing: all[offsets[index]..<offsets[index + 1]]), frames: 2))
                }
                return messages.withUnsafeBufferPointer(body)
            }
        }
    }

    /// Every topic's bytes back to back, and where each lies, for ``withMessages(_:_:)``.
    private static let allTopics = topics.flatMap { $0 }
    private static let topicRanges = topics.indices.map { kind in
        let start = topics[..<kind].map(\.count).reduce(0, +)
        return start..<start + topics[kind].count
    }
    /// Scratch for ``withMessages(_:_:)``, kept so that a measured call allocates nothing.
    private var messages: [RawMessage] = []

    /// Calls `body` with the topic and payload of event `index`.
    @inline(__always)
    public func withMessage<R>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        let topic = Self.topics[Int(kinds[index].rawValue)]
        return topic.withUnsafeBytes { topicBytes in
            payloads.withUnsafeBytes { all in
                body(topicBytes, UnsafeRawBufferPointer(rebasing: all[offsets[index]..<offsets[index + 1]]))
            }
        }
    }
}

/// The same stream decoded once, ahead of time, for measuring the engine alone: every event's
/// ``DecodedEvent`` with its text ranges moved into one shared text buffer, rewritten per pass
/// like ``PreparedEvents`` (the last four bytes of each event id, and the timestamp).
public final class PreDecodedEvents {
    public private(set) var events: [DecodedEvent] = []
    public private(set) var text: [UInt8] = []
    private let baseTimestamps: [Int64]
    private let period: Int64

    public init(_ prepared: PreparedEvents) {
        prepared.preparePass(0)
        var decoder = EventDecoder()
        var strings: [UInt8] = []
        events.reserveCapacity(prepared.count)
        for index in 0..<prepared.count {
            let decoded = prepared.withMessage(index) { decoder.decode(topic: $0, payload: $1) }
            guard case .success(var event) = decoded else { fatalError("generated event \(index) did not decode: \(decoded)") }
            // Only the event's strings, back to back: the decoder's text also holds the payload,
            // which would spread what the engine reads over a buffer four times the size.
            event.copyStrings(from: decoder.text, to: &strings)
            events.append(event)
        }
        text = strings
        baseTimestamps = prepared.baseTimestamps
        period = prepared.period
    }

    public func preparePass(_ pass: Int) {
        precondition((0..<PreparedEvents.maxPasses).contains(pass))
        let shift = Int64(pass) * period
        text.withUnsafeMutableBufferPointer { bytes in
            for index in events.indices {
                let id = events[index].eventID
                PreparedEvents.writeDigits(Int64(pass), width: 4, into: bytes, at: Int(id.start + id.count) - 4)
                events[index].timestamp = baseTimestamps[index] + shift
            }
        }
    }
}

/// Where the string value of `key` lies in a generated event's JSON (which has no escapes).
func stringValue(of key: String, in json: [UInt8]) -> Range<Int> {
    guard let start = json.firstRange(of: Array("\"\(key)\":\"".utf8))?.upperBound,
          let end = json[start...].firstIndex(of: UInt8(ascii: "\"")) else { fatalError("generator payload without \(key)") }
    return start..<end
}
