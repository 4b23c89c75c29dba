@testable import SegdCore
import Testing

@Suite("Customer state structures")
struct StateStructureTests {
    @Test("the customer index hands out dense numbers, finds them again and survives growth")
    func customerIndex() {
        var index = CustomerIndex(expectedCustomers: 4)
        var numbers: [Int32] = []
        for value in 0..<50_000 {
            var id = "customer-\(value)"
            numbers.append(id.withUTF8 { index.intern(UnsafeRawBufferPointer($0)) })
        }
        #expect(numbers == (0..<50_000).map(Int32.init))
        #expect(index.count == 50_000)
        #expect(index.lookup("customer-31337") == 31_337)
        #expect(index.lookup("customer-50000") == nil)
        #expect(index.id(49_999) == "customer-49999")
        var again = "customer-7"
        #expect(again.withUTF8 { index.intern(UnsafeRawBufferPointer($0)) } == 7)
        #expect(index.count == 50_000)
    }

    @Test("bucket lists keep buckets sorted, merge same-bucket events and drop what falls out of retention")
    func bucketLists() throws {
        var lists = BucketLists(retention: 3)
        lists.addCustomer()
        lists.addCustomer()
        let click = DecodedEvent(kind: .click, timestamp: 0, eventID: .empty, customerID: .empty)
        for bucket: Int32 in [10, 12, 11, 12, 10] { lists.record(click, customer: 1, bucket: bucket) }
        #expect(lists.buckets(1).map(\.index) == [10, 11, 12])
        #expect(lists.buckets(1).map(\.clicks) == [2, 1, 2])
        #expect(lists.buckets(0).count == 0)
        lists.record(click, customer: 1, bucket: 13)
        #expect(lists.buckets(1).map(\.index) == [11, 12, 13])
        let recorded = lists.record(click, customer: 1, bucket: 10)
        #expect(!recorded, "older than retention relative to the newest bucket")
        for bucket: Int32 in 100..<200 { lists.record(click, customer: 0, bucket: bucket) }
        #expect(lists.buckets(0).map(\.index) == [197, 198, 199])
        #expect(lists.buckets(1).map(\.index) == [11, 12, 13])
    }

    @Test("a window's totals from running sums equal the sum of its buckets, through late inserts and expiry")
    func bucketWindowTotals() {
        var lists = BucketLists(retention: 30)
        lists.addCustomer()
        var random = SeededRandom(seed: 7)
        var newest: Int32 = 1_000
        for step in 0..<3_000 {
            // Mostly the newest bucket or a new one, sometimes an older bucket inside retention.
            let roll = random.next() % 10
            if roll < 3 { newest += Int32(random.next() % 3) }
            let bucket = roll == 9 ? newest - Int32(random.next() % 35) : newest
            var event = DecodedEvent(kind: [.click, .order, .review][Int(random.next() % 3)], timestamp: 0, eventID: .empty, customerID: .empty)
            event.amountMinor = Int64(random.next() % 100_000)
            event.items = Int32(1 + random.next() % 5)
            event.rating = UInt8(1 + random.next() % 5)
            lists.record(event, customer: 0, bucket: bucket, startsSession: random.next() % 4 == 0)
            guard step % 7 == 0 else { continue }
            let buckets = lists.buckets(0)
            for bucketsPerDay: Int32 in [1, 24] {
                let lowest = newest - Int32(random.next() % 40)
                let inside = buckets.filter { $0.index >= lowest }
                let totals = lists.window(0, from: lowest, bucketsPerDay: bucketsPerDay)
                #expect(totals.sum.orders == inside.reduce(0) { $0 &+ $1.orders })
                #expect(totals.sum.clicks == inside.reduce(0) { $0 &+ $1.clicks })
                #expect(totals.sum.sessions == inside.reduce(0) { $0 &+ $1.sessions })
                #expect(totals.sum.spendMinor == inside.reduce(0) { $0 &+ $1.spendMinor })
                #expect(totals.sum.items == inside.reduce(0) { $0 &+ $1.items })
                #expect(totals.sum.reviews == inside.reduce(0) { $0 + $1.reviews })
                #expect(totals.sum.ratingSum == inside.reduce(0) { $0 + $1.ratingSum })
                #expect(totals.sum.minRating == inside.map(\.minRating).filter { $0 > 0 }.min() ?? 0)
                #expect(totals.oldest == inside.first?.index)
                #expect(Int(totals.activeDays) == Set(inside.map { $0.index / bucketsPerDay }).count, "bucket numbers here are positive")
                // The first bucket whose leaving leaves at most `bound` clicks, by brute force.
                let bound = UInt32(random.next() % 8)
                let expected = inside.indices.first { leaving in inside[(leaving + 1)...].reduce(0) { $0 + $1.clicks } <= bound }.map { inside[$0].index }
                #expect(lists.firstBucket(0, from: lowest) { $0.clicks <= bound } == expected)
            }
        }
        #expect(lists.buckets(0).count <= 30)
    }

    @Test("timers pop in (due, customer) order, and rescheduling or cancelling leaves no stale firing")
    func timerQueue() {
        var timers = TimerQueue()
        timers.schedule(2, at: 100)
        timers.schedule(1, at: 100)
        timers.schedule(0, at: 50)
        timers.schedule(3, at: 70)
        timers.schedule(0, at: 200)
        timers.schedule(3, at: nil)
        #expect(timers.pendingCount == 3)
        var fired: [(Int32, Int64)] = []
        while let next = timers.popDue(atOrBefore: 150) { fired.append((next.customer, next.due)) }
        #expect(fired.map(\.0) == [1, 2])
        #expect(timers.due(0) == 200)
        #expect(timers.popDue(atOrBefore: 199) == nil)
        #expect(timers.popDue(atOrBefore: 200)?.customer == 0)
        #expect(timers.pendingCount == 0)
    }

    @Test("timers fire as a plain list of due times would have them fire, through any mix of earlier, later and cancelled settings")
    func timerQueueAgreesWithAModel() {
        var random = RuleTestRandom(seed: 31)
        var timers = TimerQueue()
        var model: [Int32: Int64] = [:]
        var clock: Int64 = 0
        for _ in 0..<100_000 {
            let customer = Int32(random.next() % 500)
            switch random.next() % 10 {
            case 0:
                timers.schedule(customer, at: nil)
                model[customer] = nil
            case 1...3:
                // Earlier or later than what is set, sometimes already due.
                let due = clock - 50 + Int64(random.next() % 2_000)
                timers.schedule(customer, at: due)
                model[customer] = due
            case 4...8:
                let due = clock + Int64(random.next() % 10_000)
                timers.schedule(customer, at: due)
                model[customer] = due
            default:
                clock += Int64(random.next() % 300)
                while let fired = timers.popDue(atOrBefore: clock) {
                    let expected = model.filter { $0.value <= clock }.min { ($0.value, $0.key) < ($1.value, $1.key) }
                    guard fired.customer == expected?.key, fired.due == expected?.value else {
                        Issue.record("fired \(fired) at \(clock), expected \(String(describing: expected))")
                        return
                    }
                    model[fired.customer] = nil
                }
                #expect(model.values.allSatisfy { $0 > clock })
            }
            #expect(timers.pendingCount == model.count)
            #expect(timers.due(customer) == model[customer])
        }
    }

    @Test("many reschedules keep the heap proportional to live timers")
    func timerCompaction() {
        var timers = TimerQueue()
        for round in 0..<50 {
            for customer in Int32(0)..<1_000 { timers.schedule(customer, at: Int64(round * 10_000) + Int64(customer)) }
        }
        #expect(timers.pendingCount == 1_000)
        var count = 0
        while timers.popDue(atOrBefore: .max) != nil { count += 1 }
        #expect(count == 1_000)
    }
}

@Suite("Time and text")
struct TimeAndTextTests {
    @Test("RFC 3339 formatting and civil dates agree with the parser for every day of 1970–2100")
    func timestampRoundTrip() {
        var day: Int64 = 0
        while day < 47_482 {
            let milliseconds = day * 86_400_000 + (day * 7_919_123) % 86_400_000
            let text = TimestampFormat.rfc3339(milliseconds)
            #expect(EventTimeText.parse(text) == milliseconds, "\(text)")
            day += 1
        }
        #expect(TimestampFormat.rfc3339(0) == "1970-01-01T00:00:00.000Z")
        #expect(TimestampFormat.rfc3339(951_782_400_000) == "2000-02-29T00:00:00.000Z")
    }

    @Test("durations parse in every unit and format back to the shortest exact spelling")
    func durations() {
        #expect(EventTimeText.parseDuration("250ms") == 250)
        #expect(EventTimeText.parseDuration("5s") == 5_000)
        #expect(EventTimeText.parseDuration("5m") == 300_000)
        #expect(EventTimeText.parseDuration("2h") == 7_200_000)
        #expect(EventTimeText.parseDuration("7d") == 604_800_000)
        #expect(EventTimeText.parseDuration("5") == nil)
        #expect(EventTimeText.parseDuration("-5s") == nil)
        #expect(EventTimeText.formatDuration(90_000) == "90s")
        #expect(EventTimeText.formatDuration(86_400_000) == "1d")
    }

    @Test("windows parse as hour or day buckets and reject what they cannot be")
    func windows() throws {
        #expect(try WindowSpec(parsing: "24h") == WindowSpec(unit: .hour, length: 24))
        #expect(try WindowSpec(parsing: "365d") == WindowSpec(unit: .day, length: 365))
        for bad in ["25h", "0d", "367d", "7w", "d", ""] {
            #expect(throws: WindowSpecError.self) { try WindowSpec(parsing: bad) }
        }
    }

    @Test("a JSON writer's timestamps, which reuse the date of the day before, read as RFC 3339 of each instant")
    func jsonWriterTimestamps() {
        var random = RuleTestRandom(seed: 23)
        var writer = JSONWriter()
        var instant: Int64 = 1_767_225_600_000
        for _ in 0..<20_000 {
            // Mostly small steps inside a day, sometimes across midnight, now and then far away.
            switch random.next() % 16 {
            case 0: instant = Int64(random.next() % 253_402_300_800_000)
            case 1: instant += EventTime.millisecondsPerDay
            default: instant += Int64(random.next() % 3_600_000)
            }
            writer.reset()
            writer.timestamp(instant)
            guard String(decoding: writer.bytes, as: UTF8.self) == "\"\(TimestampFormat.rfc3339(instant))\"" else {
                Issue.record("\(instant): wrote \(String(decoding: writer.bytes, as: UTF8.self))")
                return
            }
        }
    }

    @Test("the JSON writer escapes control characters, quotes and backslashes, and writes numbers exactly")
    func jsonWriter() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("s")
        writer.string("a\"b\\c\n\u{01}\u{7F}é")
        writer.key("i")
        writer.integer(Int64.min)
        writer.key("n")
        writer.number(.nan)
        writer.key("d")
        writer.number(12.34)
        writer.key("w")
        writer.number(3)
        writer.key("a")
        writer.beginArray()
        writer.bool(true)
        writer.null()
        writer.endArray()
        writer.key("e")
        writer.string("")
        writer.key("t")
        writer.string("\"\r\t")
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"s":"a\"b\\c\n\u0001\u007fé","i":-9223372036854775808,"n":null,"d":12.34,"w":3,"a":[true,null],"e":"","t":"\"\r\t"}"#)
    }

    @Test("a byte needing an escape is escaped wherever it falls in a string; times in a row are separated")
    func jsonWriterEscapesAtEveryPosition() {
        let escapes: [(byte: UInt8, escaped: String)] = [(0x22, #"\""#), (0x5C, #"\\"#), (0x00, #"\u0000"#), (0x1F, #"\u001f"#), (0x7F, #"\u007f"#)]
        var writer = JSONWriter()
        for length in 1..<20 {
            for position in 0..<length {
                for (byte, escaped) in escapes {
                    var bytes = Array(repeating: UInt8(ascii: "x"), count: length)
                    bytes[position] = byte
                    writer.reset()
                    bytes.withUnsafeBytes { writer.string(utf8: $0) }
                    let expected = "\"" + String(repeating: "x", count: position) + escaped + String(repeating: "x", count: length - position - 1) + "\""
                    #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
                }
            }
        }
        writer.reset()
        writer.beginArray()
        writer.timestamp(0)
        writer.timestamp(1_764_000_000_123)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["1970-01-01T00:00:00.000Z","2025-11-24T16:00:00.123Z"]"#)
    }

    @Test("a fractional number is written as Double.description writes it, for any finite double")
    func jsonWriterNumbersMatchDescription() {
        var random = RuleTestRandom(seed: 17)
        var values: [Double] = [0.1, 1.0 / 3, 2.0 / 3, 4.666666666666667, -0.5, 1e-7, .leastNonzeroMagnitude, .ulpOfOne, 9.5e15, 1.5e300, -.greatestFiniteMagnitude]
        // Random bit patterns cover every exponent; ratios of small integers are what features hold.
        for _ in 0..<100_000 {
            let bits = Double(bitPattern: random.next())
            if bits.isFinite { values.append(bits) }
            values.append(Double(random.next() % 100_000) / Double(1 + random.next() % 997))
        }
        var writer = JSONWriter()
        for value in values {
            writer.reset()
            writer.number(value)
            let expected = value == value.rounded() && abs(value) < 9.0e15 ? String(Int64(value)) : value.description
            guard String(decoding: writer.bytes, as: UTF8.self) == expected else {
                Issue.record("\(value): wrote \(String(decoding: writer.bytes, as: UTF8.self)), description \(expected)")
                return
            }
        }
    }

    @Test("fragments encoded ahead are written with the comma due, and leave one due unless they end at a key or an opening brace")
    func jsonWriterFragments() {
        var writer = JSONWriter()
        writer.beginText(after: Array("topic".utf8))
        writer.fragment("{\"seq\":")
        writer.integer(7)
        writer.fragment(Array(#""type":"enter","family":"f","previous":"#.utf8))
        writer.null()
        writer.fragment("\"features\":{")
        writer.key("x")
        writer.integer(1)
        writer.endObject()
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"topic{"seq":7,"type":"enter","family":"f","previous":null,"features":{"x":1}}"#)
    }

    @Test("a JSON writer grows past its capacity, and a copy keeps what it had while the original writes on")
    func jsonWriterGrowsAndCopiesOnWrite() {
        var writer = JSONWriter(capacity: 1)
        writer.beginArray()
        for number in 0..<1_000 { writer.integer(number) }
        let copy = writer
        writer.string(literal: "more")
        writer.endArray()
        let expected = "[" + (0..<1_000).map(String.init).joined(separator: ",")
        #expect(String(decoding: copy.bytes, as: UTF8.self) == expected)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected + #","more"]"#)
        writer.reset()
        writer.key("k")
        writer.withBytes { #expect(Array($0) == Array(#""k":"#.utf8)) }
    }

    @Test("the event generator is deterministic by seed and produces events the decoder accepts")
    func generator() {
        var first = EventGenerator(options: .init(seed: 9, customers: 100))
        var second = EventGenerator(options: .init(seed: 9, customers: 100))
        var decoder = EventDecoder()
        var kinds = [0, 0, 0]
        for step in 0..<10_000 {
            let a = first.next(at: Int64(step) * 1_000)
            let b = second.next(at: Int64(step) * 1_000)
            #expect(a.json == b.json)
            if case .failure(let rejection) = decoder.decode(topic: a.kind.topic, payload: a.json) {
                Issue.record("generated event rejected: \(rejection)")
            }
            kinds[Int(a.kind.rawValue)] += 1
        }
        #expect((7_600...8_400).contains(kinds[0]), "about 80 % clicks: \(kinds)")
        #expect((1_200...1_800).contains(kinds[1]), "about 15 % orders: \(kinds)")
        #expect((300...700).contains(kinds[2]), "about 5 % reviews: \(kinds)")
    }
}
