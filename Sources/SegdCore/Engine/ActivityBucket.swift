import SegdDurability

/// What one customer did within one time bucket (a UTC hour or a UTC day). Rolling-window features
/// are sums over a customer's buckets, so this is the unit of windowed state. 32 bytes.
///
/// ``BucketLists`` keeps running totals of these, so that a window's sum is one subtraction: every
/// field but `minRating` is a sum, and counters wrap instead of trapping, so a difference of running
/// totals is exact as long as the true count inside one window fits its field (65,535 orders, carts
/// or reviews). `minRating` is always the bucket's own.
public struct ActivityBucket: Sendable, Equatable, BitwiseCopyable {
    /// The hour or day number (since 1970-01-01T00:00Z) this bucket covers.
    public var index: Int32
    public var clicks: UInt32 = 0
    public var carts: UInt16 = 0
    public var orders: UInt16 = 0
    public var items: UInt32 = 0
    /// Order amounts in minor units of the engine's currency; integer so sums never depend on order.
    public var spendMinor: Int64 = 0
    public var reviews: UInt16 = 0
    public var ratingSum: UInt16 = 0
    /// The lowest rating in the bucket; 0 when it holds no review.
    public var minRating: UInt8 = 0
    /// Click sessions that started in this bucket.
    public var sessions: UInt16 = 0

    public init(index: Int32) {
        self.index = index
    }

    /// Adds one accepted event to this bucket; `startsSession` when it is a click that opens a session.
    public mutating func record(_ event: DecodedEvent, startsSession: Bool) {
        switch event.kind {
        case .click:
            clicks &+= 1
            if startsSession { sessions &+= 1 }
            if event.action == .addToCart { carts &+= 1 }
        case .order:
            orders &+= 1
            items &+= UInt32(truncatingIfNeeded: event.items)
            spendMinor &+= event.amountMinor
        case .review:
            reviews &+= 1
            ratingSum &+= UInt16(event.rating)
            noteRating(event.rating)
        }
    }

    /// Lowers `minRating` to `rating` when that is a lower rating (0 is no rating).
    mutating func noteRating(_ rating: UInt8) {
        guard rating != 0 else { return }
        minRating = minRating == 0 ? rating : min(minRating, rating)
    }

    /// The sums of `self` plus `other`, with `index` and `minRating` of `self`.
    func adding(_ other: ActivityBucket) -> ActivityBucket {
        var sum = self
        sum.clicks &+= other.clicks
        sum.carts &+= other.carts
        sum.orders &+= other.orders
        sum.items &+= other.items
        sum.spendMinor &+= other.spendMinor
        sum.reviews &+= other.reviews
        sum.ratingSum &+= other.ratingSum
        sum.sessions &+= other.sessions
        return sum
    }

    /// The sums of `self` minus `other`, with `index` and `minRating` of `self`.
    func subtracting(_ other: ActivityBucket) -> ActivityBucket {
        var difference = self
        difference.clicks &-= other.clicks
        difference.carts &-= other.carts
        difference.orders &-= other.orders
        difference.items &-= other.items
        difference.spendMinor &-= other.spendMinor
        difference.reviews &-= other.reviews
        difference.ratingSum &-= other.ratingSum
        difference.sessions &-= other.sessions
        return difference
    }
}

extension ActivityBucket {
    /// Many buckets as columns, one ``ColumnBlock`` per field width.
    struct Columns {
        private let words: ColumnBlock<UInt32>
        private let halfWords: ColumnBlock<UInt16>
        private let spend: ColumnBlock<Int64>
        private let bytes: ColumnBlock<UInt8>

        init(_ buckets: [ActivityBucket]) {
            words = ColumnBlock(buckets, columns: 3) { bucket, row in
                row.put(UInt32(bitPattern: bucket.index))
                row.put(bucket.clicks)
                row.put(bucket.items)
            }
            halfWords = ColumnBlock(buckets, columns: 5) { bucket, row in
                row.put(bucket.carts)
                row.put(bucket.orders)
                row.put(bucket.reviews)
                row.put(bucket.ratingSum)
                row.put(bucket.sessions)
            }
            spend = ColumnBlock(buckets, columns: 1) { bucket, row in row.put(bucket.spendMinor) }
            bytes = ColumnBlock(buckets, columns: 1) { bucket, row in row.put(bucket.minRating) }
        }

        init(reading reader: inout BinaryReader, count: Int) throws(DurabilityError) {
            words = try ColumnBlock(reading: &reader, rows: count, columns: 3, "bucket numbers, clicks and items")
            halfWords = try ColumnBlock(reading: &reader, rows: count, columns: 5, "bucket carts, orders, reviews, ratings and sessions")
            spend = try ColumnBlock(reading: &reader, rows: count, columns: 1, "bucket spend")
            bytes = try ColumnBlock(reading: &reader, rows: count, columns: 1, "bucket minimum ratings")
        }

        func encode(into writer: inout BinaryWriter) {
            words.encode(into: &writer)
            halfWords.encode(into: &writer)
            spend.encode(into: &writer)
            bytes.encode(into: &writer)
        }

        subscript(row: Int) -> ActivityBucket {
            var bucket = ActivityBucket(index: Int32(bitPattern: words[row, 0]))
            bucket.clicks = words[row, 1]
            bucket.items = words[row, 2]
            bucket.carts = halfWords[row, 0]
            bucket.orders = halfWords[row, 1]
            bucket.reviews = halfWords[row, 2]
            bucket.ratingSum = halfWords[row, 3]
            bucket.sessions = halfWords[row, 4]
            bucket.spendMinor = spend[row, 0]
            bucket.minRating = bytes[row, 0]
            return bucket
        }
    }
}
