import SegdDurability

/// Every customer's list of non-empty buckets at one granularity, oldest first, kept in one flat
/// slab instead of an array per customer, as running totals: the entry of bucket `b` holds the
/// sums of the customer's buckets from the oldest one kept through `b` (and `b`'s own minimum
/// rating, which is no sum: a window with reviews scans its buckets for it). The sum over any run of
/// buckets — a window — is then one subtraction found by a binary search, however long the
/// window: a customer active every day for a year costs the same to evaluate as a new one.
///
/// Each customer owns a chunk of the slab whose capacity is a power of two; a chunk that fills up
/// is exchanged for one twice as large and the old one goes on a free list for its size class.
/// Buckets older than the longest window are dropped as new ones arrive (the totals after them
/// are rebased), so a chunk never needs more than `retention` entries. The slab and the
/// per-customer arrays are ``GrowableColumn``s, which grow without copying what they hold. Owned
/// by the engine's single writer.
public struct BucketLists: Sendable {
    /// How many buckets (hours or days) back from the newest one are kept.
    public let retention: Int32
    /// Running totals, customer chunk after customer chunk.
    private var slab = GrowableColumn<ActivityBucket>()
    private var freeChunks: [[Int32]] = Array(repeating: [], count: 16)
    /// Per customer, where the list lies: one entry, so finding it costs one cache miss where
    /// three columns (start, size class, count) cost three.
    private var places = GrowableColumn<ListPlace>()

    /// Where a customer's running totals lie in the slab: the chunk's start (-1 for none), its
    /// size class (a capacity of `1 << sizeClass`) and how many buckets it holds.
    private struct ListPlace: BitwiseCopyable, Sendable {
        var start: Int32 = -1
        var count: UInt16 = 0
        var sizeClass: UInt8 = 0
    }

    public static let maximumRetention: Int32 = 4096

    /// The sums of a customer's buckets inside a window.
    public struct WindowTotals: Sendable {
        /// The sums, with the newest bucket's number as `index` (0 when there is none).
        public var sum: ActivityBucket
        /// How many distinct UTC days the buckets fall on.
        public var activeDays: UInt32
        /// The number of the oldest bucket inside, which leaves the window first.
        public var oldest: Int32?

        /// No bucket inside.
        public static let empty = WindowTotals(sum: ActivityBucket(index: 0), activeDays: 0, oldest: nil)
    }

    public init(retention: Int32) {
        precondition(retention > 0 && retention <= Self.maximumRetention, "retention must be 1…\(Self.maximumRetention) buckets")
        self.retention = retention
    }

    /// Gives the next customer number an empty list; customers are added in interning order.
    public mutating func addCustomer() {
        places.append(ListPlace())
    }

    /// Customer `customer`'s buckets, oldest first, each with its own sums.
    public func buckets(_ customer: Int32) -> [ActivityBucket] {
        let (start, count) = chunk(customer)
        return (0..<count).map { bucketValue(at: start + $0, listStart: start) }
    }

    /// The sums of customer `customer`'s buckets numbered `lowest` or later; `bucketsPerDay` (1 for
    /// day buckets, 24 for hour buckets) tells how bucket numbers map to UTC days. The minimum
    /// rating and the active days walk the window's buckets (for hour buckets), so they are
    /// computed only when asked for (0 otherwise).
    ///
    /// Always inlined into its caller (``CustomerStore``, once per window unit): left to the
    /// optimizer, it stayed out of line and returned the totals through memory, and a 1 M-event
    /// replay at live pace took 5–8 % longer.
    @inline(__always)
    public func window(_ customer: Int32, from lowest: Int32, bucketsPerDay: Int32, minimumRating: Bool = true, activeDays: Bool = true) -> WindowTotals {
        let (start, count) = chunk(customer)
        let first = firstPosition(atOrAbove: lowest, start: start, count: count)
        let end = start + count
        guard first < end else { return .empty }
        var sum = first > start ? slab[end - 1].subtracting(slab[first - 1]) : slab[end - 1]
        // The minimum rating is no sum: the lowest of the buckets' own, when there is a review.
        sum.minRating = 0
        if minimumRating, sum.reviews != 0 {
            for position in first..<end { sum.noteRating(slab[position].minRating) }
        }
        // Day buckets are one active day each; hour buckets are counted by the day they fall on.
        var days = bucketsPerDay == 1 ? UInt32(end - first) : 0
        if bucketsPerDay > 1, activeDays {
            var lastDay = Int64.min
            for position in first..<end {
                let day = EventTime.floorDivide(Int64(slab[position].index), Int64(bucketsPerDay))
                if day != lastDay {
                    days += 1
                    lastDay = day
                }
            }
        }
        return WindowTotals(sum: sum, activeDays: days, oldest: slab[first].index)
    }

    /// The number of customer `customer`'s oldest bucket numbered `lowest` or later, if any.
    public func oldestBucket(_ customer: Int32, from lowest: Int32) -> Int32? {
        let (start, count) = chunk(customer)
        let first = firstPosition(atOrAbove: lowest, start: start, count: count)
        return first < start + count ? slab[first].index : nil
    }

    /// The number of the first of customer `customer`'s buckets numbered `lowest` or later whose
    /// leaving, with every older one, leaves sums (of the buckets after it) of which `hasFallen`
    /// holds; nil when none does, not even the newest, whose leaving leaves nothing.
    ///
    /// `hasFallen` must be monotone — once it holds of the sums after one bucket it holds of the
    /// sums after every later one — as a test of a sum against a bound from above is, sums only
    /// shrinking as buckets leave; the search bisects on it.
    public func firstBucket(_ customer: Int32, from lowest: Int32, leaving hasFallen: (ActivityBucket) -> Bool) -> Int32? {
        let (start, count) = chunk(customer)
        var low = firstPosition(atOrAbove: lowest, start: start, count: count)
        var high = start + count - 1
        guard low <= high, hasFallen(ActivityBucket(index: 0)) else { return nil }
        // Invariant: the answer lies in low...high, and the newest bucket (`high` at first) is one.
        let newest = slab[start + count - 1]
        while low < high {
            let middle = low + (high - low) / 2
            if hasFallen(newest.subtracting(slab[middle])) { high = middle } else { low = middle + 1 }
        }
        return slab[low].index
    }

    /// Adds `event` to customer `customer`'s bucket number `bucket`, creating the bucket if needed
    /// and dropping buckets that fell out of retention relative to the newest bucket.
    /// Returns false, changing nothing, when `bucket` itself is already beyond retention.
    @discardableResult
    public mutating func record(_ event: DecodedEvent, customer: Int32, bucket: Int32, startsSession: Bool = false) -> Bool {
        var delta = ActivityBucket(index: bucket)
        delta.record(event, startsSession: startsSession)
        let index = Int(customer)
        let place = places[index]
        var count = Int(place.count)
        var start = Int(place.start)
        if count > 0 {
            let newest = slab[start + count - 1].index
            if bucket <= newest - retention { return false }
            var position = start + count - 1
            while position >= start, slab[position].index > bucket { position -= 1 }
            if position >= start, slab[position].index == bucket {
                // The bucket and every running total after it grow by the event.
                for later in position..<start + count { slab[later] = slab[later].adding(delta) }
                slab[position].noteRating(delta.minRating)
                return true
            }
        }
        if count == Self.capacity(of: place) {
            start = moveToLargerChunk(customer: index, count: count)
        }
        // Insert in order (nearly always at the end: events arrive roughly in time order).
        var position = start + count
        while position > start, slab[position - 1].index > bucket {
            slab[position] = slab[position - 1].adding(delta)
            position -= 1
        }
        slab[position] = position > start ? delta.adding(slab[position - 1]) : delta
        count += 1
        count = dropExpired(start: start, count: count)
        places[index].count = UInt16(count)
        return true
    }
    /// Empties customer `customer`'s list, for privacy erasure: its chunk is zeroed, so nothing
    /// of what the customer did stays in the slab, and goes on the free list for reuse.
    public mutating func release(_ customer: Int32) {
        let place = places[Int(customer)]
        guard place.start >= 0 else { return }
        let start = Int(place.start)
        for position in start..<start + Self.capacity(of: place) { slab[position] = ActivityBucket(index: 0) }
        freeChunks[Int(place.sizeClass)].append(place.start)
        places[Int(customer)] = ListPlace()
    }

    /// Customer `customer`'s bucket number `bucket`, with its own sums, if it has one.
    public func bucket(_ customer: Int32, _ bucket: Int32) -> ActivityBucket? {
        let (start, count) = chunk(customer)
        var position = start + count - 1
        while position >= start, slab[position].index > bucket { position -= 1 }
        return position >= start && slab[position].index == bucket ? bucketValue(at: position, listStart: start) : nil
    }

    /// Where customer `customer`'s running totals lie in the slab.
    private func chunk(_ customer: Int32) -> (start: Int, count: Int) {
        let place = places[Int(customer)]
        return (place.count == 0 ? 0 : Int(place.start), Int(place.count))
    }

    /// The sums of the one bucket at `position` of a list starting at `listStart`.
    private func bucketValue(at position: Int, listStart: Int) -> ActivityBucket {
        position > listStart ? slab[position].subtracting(slab[position - 1]) : slab[position]
    }

    /// The first position in `start ..< start + count` whose bucket is numbered `lowest` or
    /// later (`start + count` when none is). The lists are long for the most active customers and
    /// cold in cache, so the search touches as few lines as it can: a window that holds the whole
    /// list is answered by the oldest entry; otherwise it gallops back from the newest entry (the
    /// event just wrote there, and a short window ends near it), then bisects what is left.
    private func firstPosition(atOrAbove lowest: Int32, start: Int, count: Int) -> Int {
        guard count > 0, slab[start].index < lowest else { return start }
        // Invariant: slab[low] is outside the window, every position from `high` on is inside.
        var low = start
        var high = start + count
        var distance = 1
        while distance < high - start {
            let probe = high - distance
            if slab[probe].index < lowest {
                low = probe
                break
            }
            high = probe
            distance *= 2
        }
        low += 1
        while low < high {
            let middle = low + (high - low) / 2
            if slab[middle].index < lowest { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func capacity(of place: ListPlace) -> Int {
        place.start < 0 ? 0 : 1 << Int(place.sizeClass)
    }

    /// Drops the buckets out of retention relative to the newest, and rebases the running totals
    /// of those left on the oldest kept one. Returns the new count.
    private mutating func dropExpired(start: Int, count: Int) -> Int {
        let newest = slab[start + count - 1].index
        var expired = 0
        while expired < count, slab[start + expired].index <= newest - retention { expired += 1 }
        guard expired > 0 else { return count }
        let dropped = slab[start + expired - 1]
        for offset in 0..<(count - expired) { slab[start + offset] = slab[start + offset + expired].subtracting(dropped) }
        return count - expired
    }

    /// Moves a full list into a chunk of twice the capacity and returns the new start.
    private mutating func moveToLargerChunk(customer: Int, count: Int) -> Int {
        let old = places[customer]
        let newClass = old.start < 0 ? 0 : Int(old.sizeClass) + 1
        let newStart: Int
        if let reused = freeChunks[newClass].popLast() {
            newStart = Int(reused)
        } else {
            newStart = slab.count
            slab.append(repeating: ActivityBucket(index: 0), count: 1 << newClass)
        }
        for offset in 0..<count { slab[newStart + offset] = slab[Int(old.start) + offset] }
        if old.start >= 0 { freeChunks[Int(old.sizeClass)].append(old.start) }
        places[customer].start = Int32(newStart)
        places[customer].sizeClass = UInt8(newClass)
        return newStart
    }
}

extension BucketLists {
    /// Each customer's bucket count, then all buckets customer after customer as columns, each
    /// with its own sums: only what the lists hold, not where they lie in the slab or how. Decoding lays them out afresh, with
    /// no free chunks; chunk places and capacities change what memory is reused, never a result.
    /// ``retention`` comes from the configuration and is not stored.
    func encode(into writer: inout BinaryWriter) {
        writer.write(array: places.map(\.count))
        var buckets: [ActivityBucket] = []
        buckets.reserveCapacity(places.reduce(0) { $0 + Int($1.count) })
        for customer in places.indices { buckets.append(contentsOf: self.buckets(Int32(customer))) }
        ActivityBucket.Columns(buckets).encode(into: &writer)
    }

    init(decoding reader: inout BinaryReader, retention: Int32, customers: Int) throws(DurabilityError) {
        self.init(retention: retention)
        let countsAt = reader.position
        let counts = try reader.readColumn(of: UInt16.self, count: customers, "bucket counts")
        guard counts.allSatisfy({ $0 <= retention }) else {
            throw reader.invalid("a customer has more buckets than the retention of \(retention)", at: countsAt)
        }
        let bucketsAt = reader.position
        let buckets = try ActivityBucket.Columns(reading: &reader, count: counts.reduce(0) { $0 + Int($1) })
        places = GrowableColumn(repeating: ListPlace(), count: customers)
        var row = 0
        for customer in 0..<customers where counts[customer] > 0 {
            let count = Int(counts[customer])
            let sizeClass = Self.sizeClass(holding: count)
            places[customer] = ListPlace(start: Int32(slab.count), count: counts[customer], sizeClass: UInt8(sizeClass))
            var previous = Int32.min
            for position in 0..<count {
                let bucket = buckets[row]
                // Oldest first, one bucket per number; the numbers are hours or days of years
                // 0001…9999, and the bound keeps arithmetic on them (newest − retention, bucket
                // + window length) from overflowing.
                guard bucket.index > previous, abs(Int64(bucket.index)) <= 1 << 30 else {
                    throw reader.invalid("customer \(customer)'s buckets are not in order or out of range", at: bucketsAt)
                }
                previous = bucket.index
                slab.append(position > 0 ? bucket.adding(slab[slab.count - 1]) : bucket)
                row += 1
            }
            slab.append(repeating: ActivityBucket(index: 0), count: (1 << sizeClass) - count)
        }
    }

    /// The smallest chunk size class whose capacity is at least `count`.
    private static func sizeClass(holding count: Int) -> Int {
        count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount
    }
}
