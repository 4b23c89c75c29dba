import SegdDurability

/// Every customer's list of non-empty ``ActivityBucket``s at one granularity, oldest first, kept in
/// one flat slab instead of an array per customer.
///
/// Each customer owns a chunk of the slab whose capacity is a power of two; a chunk that fills up
/// is exchanged for one twice as large and the old one goes on a free list for its size class.
/// Buckets older than the longest window are dropped as new ones arrive, so a chunk never needs
/// more than `retention` entries. Owned by the engine's single writer.
public struct BucketLists: Sendable {
    /// How many buckets (hours or days) back from the newest one are kept.
    public let retention: Int32
    private var slab: [ActivityBucket] = []
    private var freeChunks: [[Int32]] = Array(repeating: [], count: 16)
    private var chunkStart: [Int32] = []
    private var chunkClass: [UInt8] = []
    private var bucketCount: [UInt16] = []

    public static let maximumRetention: Int32 = 4096

    public init(retention: Int32) {
        precondition(retention > 0 && retention <= Self.maximumRetention, "retention must be 1…\(Self.maximumRetention) buckets")
        self.retention = retention
    }

    /// Gives the next customer number an empty list; customers are added in interning order.
    public mutating func addCustomer() {
        chunkStart.append(-1)
        chunkClass.append(0)
        bucketCount.append(0)
    }

    /// Calls `body` with customer `customer`'s buckets, oldest first.
    @inlinable
    public func withBuckets<Result>(_ customer: Int32, _ body: (UnsafeBufferPointer<ActivityBucket>) throws -> Result) rethrows -> Result {
        try withBucketStorage(customer, body)
    }

    @usableFromInline
    func withBucketStorage<Result>(_ customer: Int32, _ body: (UnsafeBufferPointer<ActivityBucket>) throws -> Result) rethrows -> Result {
        let index = Int(customer)
        let count = Int(bucketCount[index])
        guard count > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = Int(chunkStart[index])
        return try slab.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<start + count])) }
    }

    /// Adds `event` to customer `customer`'s bucket number `bucket`, creating the bucket if needed
    /// and dropping buckets that fell out of retention relative to the newest bucket.
    /// Returns false, changing nothing, when `bucket` itself is already beyond retention.
    @discardableResult
    public mutating func record(_ event: DecodedEvent, customer: Int32, bucket: Int32, startsSession: Bool = false) -> Bool {
        let index = Int(customer)
        var count = Int(bucketCount[index])
        var start = Int(chunkStart[index])
        if count > 0 {
            let newest = slab[start + count - 1].index
            if bucket <= newest - retention { return false }
            var position = start + count - 1
            while position >= start, slab[position].index > bucket { position -= 1 }
            if position >= start, slab[position].index == bucket {
                slab[position].record(event, startsSession: startsSession)
                return true
            }
        }
        if count == capacity(of: index) {
            start = moveToLargerChunk(customer: index, count: count)
        }
        // Insert in order (nearly always at the end: events arrive roughly in time order).
        var position = start + count
        while position > start, slab[position - 1].index > bucket {
            slab[position] = slab[position - 1]
            position -= 1
        }
        var fresh = ActivityBucket(index: bucket)
        fresh.record(event, startsSession: startsSession)
        slab[position] = fresh
        count += 1
        count = dropExpired(start: start, count: count)
        bucketCount[index] = UInt16(count)
        return true
    }

    /// Empties customer `customer`'s list, for privacy erasure: its chunk is zeroed, so nothing
    /// of what the customer did stays in the slab, and goes on the free list for reuse.
    public mutating func release(_ customer: Int32) {
        let index = Int(customer)
        guard chunkStart[index] >= 0 else { return }
        let start = Int(chunkStart[index])
        for position in start..<start + capacity(of: index) { slab[position] = ActivityBucket(index: 0) }
        freeChunks[Int(chunkClass[index])].append(chunkStart[index])
        chunkStart[index] = -1
        chunkClass[index] = 0
        bucketCount[index] = 0
    }

    /// Customer `customer`'s bucket number `bucket`, if it has one.
    public func bucket(_ customer: Int32, _ bucket: Int32) -> ActivityBucket? {
        withBucketStorage(customer) { buckets in
            var position = buckets.count - 1
            while position >= 0, buckets[position].index > bucket { position -= 1 }
            return position >= 0 && buckets[position].index == bucket ? buckets[position] : nil
        }
    }

    private func capacity(of customer: Int) -> Int {
        chunkStart[customer] < 0 ? 0 : 1 << Int(chunkClass[customer])
    }

    private mutating func dropExpired(start: Int, count: Int) -> Int {
        let newest = slab[start + count - 1].index
        var expired = 0
        while expired < count, slab[start + expired].index <= newest - retention { expired += 1 }
        guard expired > 0 else { return count }
        for offset in 0..<(count - expired) { slab[start + offset] = slab[start + offset + expired] }
        return count - expired
    }

    /// Moves a full list into a chunk of twice the capacity and returns the new start.
    private mutating func moveToLargerChunk(customer: Int, count: Int) -> Int {
        let oldStart = Int(chunkStart[customer])
        let newClass = chunkStart[customer] < 0 ? 0 : Int(chunkClass[customer]) + 1
        let newStart: Int
        if let reused = freeChunks[newClass].popLast() {
            newStart = Int(reused)
        } else {
            newStart = slab.count
            slab.append(contentsOf: repeatElement(ActivityBucket(index: 0), count: 1 << newClass))
        }
        for offset in 0..<count { slab[newStart + offset] = slab[oldStart + offset] }
        if oldStart >= 0 { freeChunks[Int(chunkClass[customer])].append(Int32(oldStart)) }
        chunkStart[customer] = Int32(newStart)
        chunkClass[customer] = UInt8(newClass)
        return newStart
    }
}

extension BucketLists {
    /// Each customer's bucket count, then all buckets customer after customer as columns: only
    /// what the lists hold, not where they lie in the slab. Decoding lays them out afresh, with
    /// no free chunks; chunk places and capacities change what memory is reused, never a result.
    /// ``retention`` comes from the configuration and is not stored.
    func encode(into writer: inout BinaryWriter) {
        writer.write(array: bucketCount)
        var buckets: [ActivityBucket] = []
        buckets.reserveCapacity(bucketCount.reduce(0) { $0 + Int($1) })
        for customer in chunkStart.indices { withBucketStorage(Int32(customer)) { buckets.append(contentsOf: $0) } }
        ActivityBucket.Columns(buckets).encode(into: &writer)
    }

    init(decoding reader: inout BinaryReader, retention: Int32, customers: Int) throws(DurabilityError) {
        self.init(retention: retention)
        let countsAt = reader.position
        bucketCount = try reader.readColumn(of: UInt16.self, count: customers, "bucket counts")
        guard bucketCount.allSatisfy({ $0 <= retention }) else {
            throw reader.invalid("a customer has more buckets than the retention of \(retention)", at: countsAt)
        }
        let bucketsAt = reader.position
        let buckets = try ActivityBucket.Columns(reading: &reader, count: bucketCount.reduce(0) { $0 + Int($1) })
        chunkStart = Array(repeating: -1, count: customers)
        chunkClass = Array(repeating: 0, count: customers)
        slab.reserveCapacity(bucketCount.reduce(0) { $0 + ($1 == 0 ? 0 : 1 << Self.sizeClass(holding: Int($1))) })
        var row = 0
        for customer in 0..<customers where bucketCount[customer] > 0 {
            let count = Int(bucketCount[customer])
            let sizeClass = Self.sizeClass(holding: count)
            chunkStart[customer] = Int32(slab.count)
            chunkClass[customer] = UInt8(sizeClass)
            var previous = Int32.min
            for _ in 0..<count {
                let bucket = buckets[row]
                // Oldest first, one bucket per number; the numbers are hours or days of years
                // 0001…9999, and the bound keeps arithmetic on them (newest − retention, bucket
                // + window length) from overflowing.
                guard bucket.index > previous, abs(Int64(bucket.index)) <= 1 << 30 else {
                    throw reader.invalid("customer \(customer)'s buckets are not in order or out of range", at: bucketsAt)
                }
                previous = bucket.index
                slab.append(bucket)
                row += 1
            }
            slab.append(contentsOf: repeatElement(ActivityBucket(index: 0), count: (1 << sizeClass) - count))
        }
    }

    /// The smallest chunk size class whose capacity is at least `count`.
    private static func sizeClass(holding count: Int) -> Int {
        count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount
    }
}
