import SegdDurability

/// All per-customer state, in flat arrays indexed by the dense customer number from
/// ``CustomerIndex``: lifetime profiles, hourly and daily activity buckets, and segment
/// memberships as a bit set. Owned by the engine's single writer; nothing here knows about rules.
public struct CustomerStore: Sendable {
    public let layout: FeatureLayout
    public private(set) var index: CustomerIndex
    private(set) var profiles = ChunkedColumn<CustomerProfile>()
    /// Hour buckets, present when some window is measured in hours.
    private var hourly: BucketLists?
    /// Day buckets, always kept: they also tell whether an event opens a new active or purchase
    /// day, which needs at least the allowed lateness of history.
    private var daily: BucketLists
    /// Segment membership bits, `membershipWords` words per customer.
    private(set) var memberships = ChunkedColumn<UInt64>()
    public private(set) var membershipWords: Int
    /// Each customer's most frequent categories.
    public private(set) var topCategories = TopCategories()
    /// Gaps between consecutive purchase days over all customers, for judging one-time buyers.
    public private(set) var interpurchaseGaps = InterpurchaseGaps()
    /// Buyer quintiles for the RFM scores, recomputed by ``recomputeQuintiles(at:)``.
    public private(set) var quintiles = RFMQuintiles()

    public init(layout: FeatureLayout, membershipWords: Int, allowedLatenessMilliseconds: Int64 = 0, expectedCustomers: Int = 1024) {
        self.layout = layout
        index = CustomerIndex(expectedCustomers: expectedCustomers)
        self.membershipWords = membershipWords
        let hours = layout.windows.filter { $0.unit == .hour }.map(\.length).max()
        let windowDays = layout.windows.filter { $0.unit == .day }.map(\.length).max() ?? 1
        let latenessDays = Int32(allowedLatenessMilliseconds / EventTime.millisecondsPerDay) + Self.extraLatenessDays
        hourly = hours.map { BucketLists(retention: $0) }
        daily = BucketLists(retention: max(windowDays, latenessDays))
    }

    /// Day buckets kept beyond the whole days of allowed lateness: one for the newest day itself,
    /// one for a lateness that reaches across a day boundary.
    static let extraLatenessDays: Int32 = 2

    public var count: Int { profiles.count }

    /// Customer `customer`'s lifetime state.
    public func profile(_ customer: Int32) -> CustomerProfile {
        profiles[Int(customer)]
    }

    /// Every customer number that is not forgotten, ascending: what a pass over the whole
    /// population walks.
    public var liveCustomers: some Sequence<Int32> {
        (0..<Int32(count)).lazy.filter { [index] in !index.isRemoved($0) }
    }

    /// Whether customer `customer` was erased by ``forget(_:)``.
    public func isForgotten(_ customer: Int32) -> Bool {
        index.isRemoved(customer)
    }

    /// Erases customer `customer` (privacy erasure): their id, profile, buckets, categories and
    /// memberships. The number stays taken, since the arrays are indexed by it, but is dead:
    /// ``liveCustomers`` skips it, and the id, if it comes back, starts afresh under a new number.
    public mutating func forget(_ customer: Int32) {
        index.remove(customer)
        // Inert: no activity and no event time to grow a feature from; the epoch rather than
        // `Int64.min` keeps its first and last seen valid times for exports.
        profiles[Int(customer)] = CustomerProfile(firstSeen: 0)
        hourly?.release(customer)
        daily.release(customer)
        topCategories.clear(customer)
        let start = Int(customer) * membershipWords
        for word in start..<start + membershipWords { memberships[word] = 0 }
    }

    /// Lets the index hold only `bytes` of ids, for tests (``CustomerIndex/limitIDBytes(to:)``).
    mutating func limitIDBytes(to bytes: Int) {
        index.limitIDBytes(to: bytes)
    }

    /// Returns the customer number for `id`, creating an empty customer first seen at `time` if new.
    public mutating func customer(for id: UnsafeRawBufferPointer, at time: Int64) -> Int32 {
        let customer = index.intern(id)
        if Int(customer) == profiles.count {
            profiles.append(CustomerProfile(firstSeen: time))
            hourly?.addCustomer()
            daily.addCustomer()
            topCategories.addCustomer()
            memberships.append(repeating: 0, count: membershipWords)
        }
        return customer
    }

    /// Adds an accepted event to the customer's totals, buckets and categories; `text` is the
    /// decoder's text buffer the event's ranges point into.
    public mutating func record(_ event: DecodedEvent, customer: Int32, text: [UInt8]) {
        if let category = event.category {
            text.withUnsafeBytes { bytes in
                topCategories.record(UnsafeRawBufferPointer(rebasing: bytes[category.indices]), customer: customer)
            }
        }
        let day = Int32(truncatingIfNeeded: EventTime.day(event.timestamp))
        let dayBucket = daily.bucket(customer, day)
        let startsSession = event.kind == .click && profiles[Int(customer)].startsSession(at: event.timestamp)
        let newPurchaseDay = event.kind == .order && (dayBucket?.orders ?? 0) == 0
        let lastOrder = profiles[Int(customer)].lastOrder
        if newPurchaseDay, lastOrder != .min, Int64(day) > EventTime.day(lastOrder) {
            interpurchaseGaps.add(days: Int64(day) - EventTime.day(lastOrder))
        }
        profiles[Int(customer)].record(event, startsSession: startsSession, newActiveDay: dayBucket == nil, newPurchaseDay: newPurchaseDay)
        hourly?.record(event, customer: customer, bucket: Int32(truncatingIfNeeded: EventTime.hour(event.timestamp)), startsSession: startsSession)
        daily.record(event, customer: customer, bucket: day, startsSession: startsSession)
    }

    /// Writes the `selected` features of `customer` at event time `time` into `features`
    /// (``FeatureLayout/count`` slots; those not selected are left as they are). `profile` is the
    /// customer's (`profiles[customer]`), which the caller has read already.
    public func computeFeatures(
        _ customer: Int32, _ profile: CustomerProfile, at time: Int64, selected: FeatureSelection, into features: UnsafeMutableBufferPointer<Double>
    ) {
        for window in selected.windows {
            let totals = windowTotals(customer, window, at: time)
            for measure in window.measures {
                features[layout.slot(measure, window: window.window)] = value(of: measure, totals.sum, activeDays: totals.activeDays)
            }
        }
        for measure in selected.totals { features[layout.totalSlot(measure)] = lifetimeValue(of: measure, profile) }
        for feature in selected.history { features[layout.slot(feature)] = historyValue(feature, of: profile, at: time) }
    }

    /// The instant a history feature counts its days from, or nil while it has none.
    static func anchor(_ feature: FeatureLayout.HistoryFeature, of profile: CustomerProfile) -> Int64? {
        let instant: Int64
        switch feature {
        case .daysSinceLastSeen: instant = profile.lastSeen
        case .daysSinceLastOrder: instant = profile.lastOrder
        case .daysSinceFirstOrder: instant = profile.firstOrder
        case .tenureDays: instant = profile.firstSeen
        case .hoursSinceLastCart: instant = profile.lastCart
        case .purchaseDays, .interpurchaseDays, .lastGapDays, .cartOpen, .rScore, .fScore, .mScore, .fmScore: return nil
        }
        return instant == .min ? nil : instant
    }

    private func historyValue(_ feature: FeatureLayout.HistoryFeature, of profile: CustomerProfile, at time: Int64) -> Double {
        switch feature {
        case .purchaseDays:
            return Double(profile.purchaseDays)
        case .interpurchaseDays:
            guard profile.purchaseDays >= 2 else { return .nan }
            let span = EventTime.day(profile.lastOrder) - EventTime.day(profile.firstOrder)
            return Double(span) / Double(profile.purchaseDays - 1)
        case .lastGapDays:
            guard profile.previousPurchaseDay != .min else { return .nan }
            return Double(EventTime.day(profile.lastOrder) - profile.previousPurchaseDay)
        case .cartOpen:
            return profile.lastCart != .min && profile.lastCart > profile.lastOrder ? 1 : 0
        case .rScore:
            guard profile.orders > 0 else { return .nan }
            let days = Double(EventTime.floorDivide(time - profile.lastOrder, EventTime.millisecondsPerDay))
            return RFMQuintiles.score(days, below: quintiles.recencyCuts)
        case .fScore:
            return profile.orders > 0 ? RFMQuintiles.score(Double(profile.purchaseDays), above: quintiles.frequencyCuts) : .nan
        case .mScore:
            return profile.orders > 0 ? RFMQuintiles.score(Double(profile.spendMinor) / layout.minorUnitsPerMajor, above: quintiles.monetaryCuts) : .nan
        case .fmScore:
            let frequency = historyValue(.fScore, of: profile, at: time)
            let monetary = historyValue(.mScore, of: profile, at: time)
            return ((frequency + monetary) / 2).rounded(.down)
        case .daysSinceLastSeen, .daysSinceLastOrder, .daysSinceFirstOrder, .tenureDays, .hoursSinceLastCart:
            guard let anchor = Self.anchor(feature, of: profile), let step = feature.growthStep else { return .nan }
            return Double(EventTime.floorDivide(time - anchor, step))
        }
    }

    /// The sums of `customer`'s buckets inside the selected window at `time`. Inlined into
    /// ``computeFeatures``, with the bucket lists' `window`, so the totals stay in registers.
    @inline(__always)
    private func windowTotals(_ customer: Int32, _ selected: FeatureSelection.Window, at time: Int64) -> BucketLists.WindowTotals {
        let window = layout.windows[selected.window]
        let lowest = window.firstBucket(at: time)
        switch window.unit {
        case .hour:
            return hourly?.window(customer, from: lowest, bucketsPerDay: 24, minimumRating: selected.minimumRating, activeDays: selected.activeDays) ?? .empty
        case .day:
            return daily.window(customer, from: lowest, bucketsPerDay: 1, minimumRating: selected.minimumRating, activeDays: selected.activeDays)
        }
    }

    /// A measure over the buckets whose sums are `sum`, falling on `activeDays` UTC days.
    private func value(of measure: FeatureLayout.Measure, _ sum: ActivityBucket, activeDays: UInt32) -> Double {
        switch measure {
        case .clicks: return Double(sum.clicks)
        case .sessions: return Double(sum.sessions)
        case .carts: return Double(sum.carts)
        case .orders: return Double(sum.orders)
        case .spend: return Double(sum.spendMinor) / layout.minorUnitsPerMajor
        case .items: return Double(sum.items)
        case .reviews: return Double(sum.reviews)
        case .avgRating: return Self.ratio(Double(sum.ratingSum), Double(sum.reviews))
        case .minRating: return sum.minRating == 0 ? .nan : Double(sum.minRating)
        case .aov: return Self.ratio(Double(sum.spendMinor) / layout.minorUnitsPerMajor, Double(sum.orders))
        case .conversion: return Self.ratio(Double(sum.orders), Double(sum.clicks))
        case .activeDays: return Double(activeDays)
        }
    }

    /// A measure over the customer's whole history.
    private func lifetimeValue(of measure: FeatureLayout.Measure, _ profile: CustomerProfile) -> Double {
        switch measure {
        case .clicks: return Double(profile.clicks)
        case .sessions: return Double(profile.sessions)
        case .carts: return Double(profile.carts)
        case .orders: return Double(profile.orders)
        case .spend: return Double(profile.spendMinor) / layout.minorUnitsPerMajor
        case .items: return Double(profile.items)
        case .reviews: return Double(profile.reviews)
        case .avgRating: return Self.ratio(Double(profile.ratingSum), Double(profile.reviews))
        case .minRating: return profile.minRating == 0 ? .nan : Double(profile.minRating)
        case .aov: return Self.ratio(Double(profile.spendMinor) / layout.minorUnitsPerMajor, Double(profile.orders))
        case .conversion: return Self.ratio(Double(profile.orders), Double(profile.clicks))
        case .activeDays: return Double(profile.activeDays)
        }
    }

    /// The earliest instant after `time`, and before `bound` if one is given, at which a bucket
    /// leaving one of the watched windows can change what a rule reads of `customer` (see
    /// ``WindowWatch``), so the customer needs waking although no event arrives; nil when no
    /// bucket's leaving can before then. `features` holds the customer's features at `time` for (at
    /// least) the watched windows, as ``computeFeatures(_:at:selected:into:)`` wrote them: the sums
    /// the watches start from.
    public func nextWindowExpiry(_ customer: Int32, after time: Int64, before bound: Int64?, watches: [WindowWatch], features: [Double]) -> Int64? {
        var earliest = bound
        var found = false
        for watch in watches {
            let window = layout.windows[watch.window]
            let lowest = window.firstBucket(at: time)
            let hourly = window.unit == .hour
            // Nothing in the window leaves before its oldest bucket; the search below is spared
            // when that is no earlier than what was found already.
            let oldest = hourly ? self.hourly?.oldestBucket(customer, from: lowest) : daily.oldestBucket(customer, from: lowest)
            guard let oldest, earliest.map({ window.expiry(of: oldest) < $0 }) ?? true else { continue }
            if watch.everyBucket {
                earliest = window.expiry(of: oldest)
                found = true
                continue
            }
            for watched in watch.counters {
                let counter = watched.counter
                guard let fall = watched.fall(from: features[layout.slot(counter.measure, window: watch.window)]) else { continue }
                // A closure literal passed straight on: a closure kept in a variable would be
                // allocated on the heap at every call.
                let bucket = firstBucket(customer, window.unit, from: lowest) { rest in
                    fall.isReached(by: value(of: counter.measure, rest, activeDays: 0))
                }
                guard let bucket, earliest.map({ window.expiry(of: bucket) < $0 }) ?? true else { continue }
                earliest = window.expiry(of: bucket)
                found = true
            }
        }
        return found ? earliest : nil
    }

    /// ``BucketLists/firstBucket(_:from:leaving:)`` in the lists of `unit`'s buckets.
    private func firstBucket(_ customer: Int32, _ unit: WindowSpec.Unit, from lowest: Int32, leaving hasFallen: (ActivityBucket) -> Bool) -> Int32? {
        switch unit {
        case .hour: hourly?.firstBucket(customer, from: lowest, leaving: hasFallen)
        case .day: daily.firstBucket(customer, from: lowest, leaving: hasFallen)
        }
    }

    /// Reads the membership bit of `segment` for `customer`.
    public func isMember(_ customer: Int32, segment: Int) -> Bool {
        memberships[Int(customer) * membershipWords + segment >> 6] & (1 << UInt64(segment & 63)) != 0
    }

    /// Sets the customer's churn-risk state and the P(alive) a later churn alert quotes as previous.
    public mutating func updateChurnState(_ customer: Int32, risk: Bool, lastProbabilityAlive: Float) {
        profiles[Int(customer)].churnRisk = risk
        profiles[Int(customer)].lastProbabilityAlive = lastProbabilityAlive
    }

    /// Recomputes the RFM quintiles from every buyer at `time`.
    public mutating func recomputeQuintiles(at time: Int64) {
        quintiles.recompute(profiles, at: time, minorUnitsPerMajor: layout.minorUnitsPerMajor)
    }

    /// Replaces all of `customer`'s membership words.
    public mutating func setMemberships(_ customer: Int32, _ words: [UInt64]) {
        let start = Int(customer) * membershipWords
        for index in 0..<membershipWords { memberships[start + index] = words[index] }
    }

    /// Rebuilds every customer's memberships for a new segment list: bit `old` moves to
    /// `mapping[old]`, and bits of segments with no new index are dropped.
    public mutating func remapMemberships(words: Int, mapping: [Int?]) {
        var remapped = ChunkedColumn<UInt64>(repeating: 0, count: profiles.count * words)
        for customer in liveCustomers {
            for (old, new) in mapping.enumerated() {
                guard let new, isMember(customer, segment: old) else { continue }
                remapped[Int(customer) * words + new >> 6] |= 1 << UInt64(new & 63)
            }
        }
        memberships = remapped
        membershipWords = words
    }

    private static func ratio(_ numerator: Double, _ denominator: Double) -> Double {
        denominator == 0 ? .nan : numerator / denominator
    }
}

extension CustomerStore {
    /// Leaves out the customer index's hash table, which ``encode(into:)`` does not write
    /// (``SegmentEngine/copyForSnapshot()``).
    mutating func dropRebuiltParts() {
        index.dropRebuiltParts()
    }

    /// Every customer's state. The layout, membership words and bucket retentions follow from
    /// the configuration and are not stored.
    func encode(into writer: inout BinaryWriter) {
        index.encode(into: &writer)
        CustomerProfile.encode(profiles, into: &writer)
        hourly?.encode(into: &writer)
        daily.encode(into: &writer)
        writer.write(array: Array(memberships))
        topCategories.encode(into: &writer)
        interpurchaseGaps.encode(into: &writer)
        quintiles.encode(into: &writer)
    }

    /// Decodes what ``encode(into:)`` wrote for a store built with these arguments, checking
    /// every per-customer part against the number of ids.
    init(decoding reader: inout BinaryReader, layout: FeatureLayout, membershipWords: Int, allowedLatenessMilliseconds: Int64) throws(DurabilityError) {
        self.init(layout: layout, membershipWords: membershipWords, allowedLatenessMilliseconds: allowedLatenessMilliseconds, expectedCustomers: 0)
        index = try CustomerIndex(decoding: &reader)
        let customers = index.count
        profiles = try CustomerProfile.decodeList(&reader, count: customers)
        if let retention = hourly?.retention {
            hourly = try BucketLists(decoding: &reader, retention: retention, customers: customers)
        }
        daily = try BucketLists(decoding: &reader, retention: daily.retention, customers: customers)
        memberships = ChunkedColumn(try reader.readColumn(of: UInt64.self, count: customers * membershipWords, "membership words"))
        topCategories = try TopCategories(decoding: &reader, customers: customers)
        interpurchaseGaps = try InterpurchaseGaps(decoding: &reader)
        quintiles = try RFMQuintiles(decoding: &reader)
    }
}
