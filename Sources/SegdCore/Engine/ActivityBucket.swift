import SegdDurability

/// What one customer did within one time bucket (a UTC hour or a UTC day), or within a run of
/// consecutive buckets: every field is a sum, so two of them add and subtract. Rolling-window
/// features are sums over a customer's buckets, and ``BucketLists`` keeps running totals of these
/// so that a window's sum is one subtraction. 40 bytes.
///
/// Counters wrap instead of trapping; a difference of running totals is exact as long as the
/// true count inside one window fits its field (65,535 orders, carts or reviews of one rating).
public struct ActivityBucket: Sendable, Equatable {
    /// The hour or day number (since 1970-01-01T00:00Z) this bucket covers; for a running total,
    /// the last one it covers.
    public var index: Int32
    public var clicks: UInt32 = 0
    public var items: UInt32 = 0
    public var carts: UInt16 = 0
    public var orders: UInt16 = 0
    /// Click sessions that started in this bucket.
    public var sessions: UInt16 = 0
    /// Reviews by star rating, so that the lowest rating of a window is known from sums alone.
    public var ratings = RatingCounts()
    /// Order amounts in minor units of the engine's currency; integer so sums never depend on order.
    public var spendMinor: Int64 = 0

    public init(index: Int32) {
        self.index = index
    }

    public var reviews: UInt32 { ratings.total }
    public var ratingSum: UInt32 { ratings.weightedTotal }
    /// The lowest rating counted; 0 when there is no review.
    public var minRating: UInt8 { ratings.lowest }

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
            ratings.add(rating: event.rating)
        }
    }

    /// The sums of `self` plus `other`, with `index` of `self`.
    func adding(_ other: ActivityBucket) -> ActivityBucket {
        var sum = self
        sum.clicks &+= other.clicks
        sum.items &+= other.items
        sum.carts &+= other.carts
        sum.orders &+= other.orders
        sum.sessions &+= other.sessions
        sum.ratings = ratings.adding(other.ratings, sign: 1)
        sum.spendMinor &+= other.spendMinor
        return sum
    }

    /// The sums of `self` minus `other`, with `index` of `self`.
    func subtracting(_ other: ActivityBucket) -> ActivityBucket {
        var difference = self
        difference.clicks &-= other.clicks
        difference.items &-= other.items
        difference.carts &-= other.carts
        difference.orders &-= other.orders
        difference.sessions &-= other.sessions
        difference.ratings = ratings.adding(other.ratings, sign: -1)
        difference.spendMinor &-= other.spendMinor
        return difference
    }
}

/// How many reviews gave one star, two stars … five stars (the decoder accepts ratings 1–5).
public struct RatingCounts: Sendable, Equatable {
    public var oneStar: UInt16 = 0
    public var twoStars: UInt16 = 0
    public var threeStars: UInt16 = 0
    public var fourStars: UInt16 = 0
    public var fiveStars: UInt16 = 0

    public init() {}

    public var total: UInt32 {
        UInt32(oneStar) + UInt32(twoStars) + UInt32(threeStars) + UInt32(fourStars) + UInt32(fiveStars)
    }

    /// The sum of all ratings.
    public var weightedTotal: UInt32 {
        UInt32(oneStar) + 2 * UInt32(twoStars) + 3 * UInt32(threeStars) + 4 * UInt32(fourStars) + 5 * UInt32(fiveStars)
    }

    /// The lowest rating with a review; 0 when there is none.
    public var lowest: UInt8 {
        if oneStar != 0 { return 1 }
        if twoStars != 0 { return 2 }
        if threeStars != 0 { return 3 }
        if fourStars != 0 { return 4 }
        return fiveStars != 0 ? 5 : 0
    }

    mutating func add(rating: UInt8) {
        switch rating {
        case 1: oneStar &+= 1
        case 2: twoStars &+= 1
        case 3: threeStars &+= 1
        case 4: fourStars &+= 1
        default: fiveStars &+= 1
        }
    }

    /// Field by field `self + sign * other`, wrapping.
    func adding(_ other: RatingCounts, sign: Int) -> RatingCounts {
        var result = self
        if sign >= 0 {
            result.oneStar &+= other.oneStar
            result.twoStars &+= other.twoStars
            result.threeStars &+= other.threeStars
            result.fourStars &+= other.fourStars
            result.fiveStars &+= other.fiveStars
        } else {
            result.oneStar &-= other.oneStar
            result.twoStars &-= other.twoStars
            result.threeStars &-= other.threeStars
            result.fourStars &-= other.fourStars
            result.fiveStars &-= other.fiveStars
        }
        return result
    }
}

extension ActivityBucket {
    /// Many buckets as columns, one ``ColumnBlock`` per field width.
    struct Columns {
        private let words: ColumnBlock<UInt32>
        private let halfWords: ColumnBlock<UInt16>
        private let spend: ColumnBlock<Int64>

        init(_ buckets: [ActivityBucket]) {
            words = ColumnBlock(buckets, columns: 3) { bucket, row in
                row.put(UInt32(bitPattern: bucket.index))
                row.put(bucket.clicks)
                row.put(bucket.items)
            }
            halfWords = ColumnBlock(buckets, columns: 8) { bucket, row in
                row.put(bucket.carts)
                row.put(bucket.orders)
                row.put(bucket.sessions)
                row.put(bucket.ratings.oneStar)
                row.put(bucket.ratings.twoStars)
                row.put(bucket.ratings.threeStars)
                row.put(bucket.ratings.fourStars)
                row.put(bucket.ratings.fiveStars)
            }
            spend = ColumnBlock(buckets, columns: 1) { bucket, row in row.put(bucket.spendMinor) }
        }

        init(reading reader: inout BinaryReader, count: Int) throws(DurabilityError) {
            words = try ColumnBlock(reading: &reader, rows: count, columns: 3, "bucket numbers, clicks and items")
            halfWords = try ColumnBlock(reading: &reader, rows: count, columns: 8, "bucket carts, orders, sessions and reviews by rating")
            spend = try ColumnBlock(reading: &reader, rows: count, columns: 1, "bucket spend")
        }

        func encode(into writer: inout BinaryWriter) {
            words.encode(into: &writer)
            halfWords.encode(into: &writer)
            spend.encode(into: &writer)
        }

        subscript(row: Int) -> ActivityBucket {
            var bucket = ActivityBucket(index: Int32(bitPattern: words[row, 0]))
            bucket.clicks = words[row, 1]
            bucket.items = words[row, 2]
            bucket.carts = halfWords[row, 0]
            bucket.orders = halfWords[row, 1]
            bucket.sessions = halfWords[row, 2]
            bucket.ratings.oneStar = halfWords[row, 3]
            bucket.ratings.twoStars = halfWords[row, 4]
            bucket.ratings.threeStars = halfWords[row, 5]
            bucket.ratings.fourStars = halfWords[row, 6]
            bucket.ratings.fiveStars = halfWords[row, 7]
            bucket.spendMinor = spend[row, 0]
            return bucket
        }
    }
}
