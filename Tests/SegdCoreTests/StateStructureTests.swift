import SegdCore
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
        #expect(lists.withBuckets(1) { $0.map(\.index) } == [10, 11, 12])
        #expect(lists.withBuckets(1) { $0.map(\.clicks) } == [2, 1, 2])
        #expect(lists.withBuckets(0) { $0.count } == 0)
        lists.record(click, customer: 1, bucket: 13)
        #expect(lists.withBuckets(1) { $0.map(\.index) } == [11, 12, 13])
        let recorded = lists.record(click, customer: 1, bucket: 10)
        #expect(!recorded, "older than retention relative to the newest bucket")
        for bucket: Int32 in 100..<200 { lists.record(click, customer: 0, bucket: bucket) }
        #expect(lists.withBuckets(0) { $0.map(\.index) } == [197, 198, 199])
        #expect(lists.withBuckets(1) { $0.map(\.index) } == [11, 12, 13])
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
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"s":"a\"b\\c\n\u0001\u007fé","i":-9223372036854775808,"n":null,"d":12.34,"w":3,"a":[true,null]}"#)
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
