import SegdDurability

/// What one customer did within one time bucket (a UTC hour or a UTC day). Rolling-window features
/// are sums over a customer's buckets, so this is the unit of windowed state. 32 bytes; counters
/// that cannot plausibly overflow in one bucket are narrow and saturate instead of trapping.
public struct ActivityBucket: Sendable, Equatable {
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
            if startsSession { sessions = sessions.saturatingIncrement(by: 1) }
            if event.action == .addToCart { carts = carts.saturatingIncrement(by: 1) }
        case .order:
            orders = orders.saturatingIncrement(by: 1)
            items &+= UInt32(truncatingIfNeeded: event.items)
            spendMinor &+= event.amountMinor
        case .review:
            reviews = reviews.saturatingIncrement(by: 1)
            ratingSum = ratingSum.saturatingIncrement(by: UInt16(event.rating))
            minRating = minRating == 0 ? event.rating : min(minRating, event.rating)
        }
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

extension FixedWidthInteger where Self: UnsignedInteger {
    @inlinable
    func saturatingIncrement(by amount: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(amount)
        return overflow ? .max : sum
    }
}
