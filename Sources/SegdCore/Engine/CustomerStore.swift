/// All per-customer state, in flat arrays indexed by the dense customer number from
/// ``CustomerIndex``: lifetime profiles, hourly and daily activity buckets, and segment
/// memberships as a bit set. Owned by the engine's single writer; nothing here knows about rules.
public struct CustomerStore: Sendable {
    public let layout: FeatureLayout
    public private(set) var index: CustomerIndex
    public private(set) var profiles: [CustomerProfile] = []
    /// Hour buckets, present when some window is measured in hours.
    private var hourly: BucketLists?
    /// Day buckets, present when some window is measured in days.
    private var daily: BucketLists?
    /// Segment membership bits, `membershipWords` words per customer.
    public private(set) var memberships: [UInt64] = []
    public let membershipWords: Int

    public init(layout: FeatureLayout, segmentCount: Int, expectedCustomers: Int = 1024) {
        self.layout = layout
        index = CustomerIndex(expectedCustomers: expectedCustomers)
        membershipWords = max(1, (segmentCount + 63) / 64)
        let hours = layout.windows.filter { $0.unit == .hour }.map(\.length).max()
        let days = layout.windows.filter { $0.unit == .day }.map(\.length).max()
        hourly = hours.map { BucketLists(retention: $0) }
        daily = days.map { BucketLists(retention: $0) }
    }

    public var count: Int { profiles.count }

    /// Returns the customer number for `id`, creating an empty customer first seen at `time` if new.
    public mutating func customer(for id: UnsafeRawBufferPointer, at time: Int64) -> Int32 {
        let customer = index.intern(id)
        if Int(customer) == profiles.count {
            profiles.append(CustomerProfile(firstSeen: time))
            hourly?.addCustomer()
            daily?.addCustomer()
            memberships.append(contentsOf: repeatElement(0, count: membershipWords))
        }
        return customer
    }

    /// Adds an accepted event to the customer's totals and buckets.
    public mutating func record(_ event: DecodedEvent, customer: Int32) {
        profiles[Int(customer)].record(event)
        hourly?.record(event, customer: customer, bucket: Int32(truncatingIfNeeded: EventTime.hour(event.timestamp)))
        daily?.record(event, customer: customer, bucket: Int32(truncatingIfNeeded: EventTime.day(event.timestamp)))
    }

    /// Writes every feature of `customer` at event time `time` into `features` (``FeatureLayout/count`` slots).
    public func computeFeatures(_ customer: Int32, at time: Int64, into features: UnsafeMutableBufferPointer<Double>) {
        let profile = profiles[Int(customer)]
        let major = layout.minorUnitsPerMajor
        for (windowIndex, window) in layout.windows.enumerated() {
            let lists = window.unit == .hour ? hourly : daily
            var sum = ActivityBucket(index: 0)
            lists?.withBuckets(customer) { buckets in
                for bucket in buckets.reversed() {
                    guard window.contains(bucket.index, at: time) else { break }
                    sum.clicks &+= bucket.clicks
                    sum.carts &+= bucket.carts
                    sum.orders &+= bucket.orders
                    sum.items &+= bucket.items
                    sum.spendMinor &+= bucket.spendMinor
                    sum.reviews &+= bucket.reviews
                    sum.ratingSum &+= bucket.ratingSum
                    if bucket.minRating != 0 {
                        sum.minRating = sum.minRating == 0 ? bucket.minRating : min(sum.minRating, bucket.minRating)
                    }
                }
            }
            features[layout.slot(.clicks, window: windowIndex)] = Double(sum.clicks)
            features[layout.slot(.carts, window: windowIndex)] = Double(sum.carts)
            features[layout.slot(.orders, window: windowIndex)] = Double(sum.orders)
            features[layout.slot(.spend, window: windowIndex)] = Double(sum.spendMinor) / major
            features[layout.slot(.items, window: windowIndex)] = Double(sum.items)
            features[layout.slot(.reviews, window: windowIndex)] = Double(sum.reviews)
            features[layout.slot(.avgRating, window: windowIndex)] = Self.mean(Double(sum.ratingSum), Double(sum.reviews))
            features[layout.slot(.minRating, window: windowIndex)] = sum.minRating == 0 ? .nan : Double(sum.minRating)
        }
        features[layout.totalSlot(.clicks)] = Double(profile.clicks)
        features[layout.totalSlot(.carts)] = Double(profile.carts)
        features[layout.totalSlot(.orders)] = Double(profile.orders)
        features[layout.totalSlot(.spend)] = Double(profile.spendMinor) / major
        features[layout.totalSlot(.items)] = Double(profile.items)
        features[layout.totalSlot(.reviews)] = Double(profile.reviews)
        features[layout.totalSlot(.avgRating)] = Self.mean(Double(profile.ratingSum), Double(profile.reviews))
        features[layout.totalSlot(.minRating)] = profile.minRating == 0 ? .nan : Double(profile.minRating)
    }

    /// The earliest instant after `time` at which a bucket of `customer` leaves one of the windows
    /// in `windowIndices`, i.e. when a windowed feature can next change without a new event;
    /// nil when no bucket is inside any of those windows.
    public func nextWindowExpiry(_ customer: Int32, after time: Int64, windowIndices: [Int]) -> Int64? {
        var earliest: Int64?
        for windowIndex in windowIndices {
            let window = layout.windows[windowIndex]
            let lists = window.unit == .hour ? hourly : daily
            lists?.withBuckets(customer) { buckets in
                // Buckets are oldest first: the first one still inside the window leaves it first.
                guard let oldest = buckets.first(where: { window.contains($0.index, at: time) }) else { return }
                let expiry = window.expiry(of: oldest.index)
                earliest = min(earliest ?? expiry, expiry)
            }
        }
        return earliest
    }

    /// Reads the membership bit of `segment` for `customer`.
    @inlinable
    public func isMember(_ customer: Int32, segment: Int) -> Bool {
        memberships[Int(customer) * membershipWords + segment >> 6] & (1 << UInt64(segment & 63)) != 0
    }

    public mutating func setMember(_ customer: Int32, segment: Int, _ member: Bool) {
        let word = Int(customer) * membershipWords + segment >> 6
        let bit: UInt64 = 1 << UInt64(segment & 63)
        if member { memberships[word] |= bit } else { memberships[word] &= ~bit }
    }

    /// Calls `body` with the membership words of `customer`.
    public func withMemberships<Result>(_ customer: Int32, _ body: (UnsafeBufferPointer<UInt64>) throws -> Result) rethrows -> Result {
        let start = Int(customer) * membershipWords
        return try memberships.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<start + membershipWords])) }
    }

    /// Bytes held by customer state, for memory accounting.
    public var memoryFootprint: Int {
        index.memoryFootprint + profiles.capacity * MemoryLayout<CustomerProfile>.stride + memberships.capacity * 8
            + (hourly?.memoryFootprint ?? 0) + (daily?.memoryFootprint ?? 0)
    }

    private static func mean(_ sum: Double, _ count: Double) -> Double {
        count == 0 ? .nan : sum / count
    }
}
