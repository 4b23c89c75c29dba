import SegdDurability

/// Remembers the `event_id`s accepted within a horizon of event time so a producer's retry is
/// dropped instead of counted twice. Owned by the engine's single writer.
///
/// An id is kept as two independent 64-bit hashes: a false "duplicate" would need both to collide
/// (about 1 in 10^19 per pair even with ten million ids in the horizon), while storing hashes keeps
/// the cost per remembered id at 40 to 56 bytes whatever the id's length (24 in the arrival queue,
/// which grows by fixed chunks and holds the keys, and 16 to 32 in ``IDHashSet``, an index into it
/// at most half full, which doubles). Neither stops ingest to grow: the set moves its entries to a
/// doubled table a few per insert. Ids are forgotten in arrival order once their event time is
/// older than the horizon behind the clock.
///
/// The horizon alone does not bound memory: at 100,000 events a second a day's ids are 8.6
/// billion. So at most ``capacity`` ids are remembered; past it the oldest is forgotten early,
/// and counted, since a retry of it would then be accepted.
public struct DuplicateFilter: Sendable {
    /// An id's two hashes.
    struct Key: Equatable, Sendable {
        var first: UInt64
        var second: UInt64

        /// Never stored: snapshots have never held it (it was the empty slot of an earlier set).
        static let zero = Key(first: 0, second: 0)

        /// What the set keeps of the key beside its arrival ordinal.
        var hashLow: UInt32 { UInt32(truncatingIfNeeded: first) }
    }

    public let horizonMilliseconds: Int64
    /// The seed of an id's second hash (the first's is 0).
    static let secondSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    public private(set) var capacity: Int
    /// Ids forgotten before their horizon passed, to keep at most ``capacity``.
    public private(set) var forgottenEarly = 0
    private var seen = IDHashSet()
    private var arrivals = ChunkedQueue<(time: Int64, key: Key)>()
    /// The arrival ordinals of the oldest remembered id and of the next one: they count through
    /// 1 ... UInt32.max and wrap to 1 (0 marks an empty slot of the set). At most 10^9 ids are
    /// remembered, so those remembered have distinct ordinals.
    private var oldestOrdinal: UInt32 = 1
    private var nextOrdinal: UInt32 = 1
    /// The home bits of the ids announced for the next ``readAhead()``.
    private var announcedHomes: [UInt32] = []
    /// What ``readAhead()`` read, folded together: kept only so that the reads are made.
    private var readAheadFold: UInt32 = 0

    public init(horizonMilliseconds: Int64, capacity: Int) {
        self.init(horizonMilliseconds: horizonMilliseconds, capacity: capacity, firstOrdinal: 1)
    }

    /// With the first arrival's ordinal given, so a test can reach the ordinals' wrap from
    /// UInt32.max to 1 without four billion inserts.
    init(horizonMilliseconds: Int64, capacity: Int, firstOrdinal: UInt32) {
        precondition(capacity > 0, "DuplicateFilter: capacity must be positive")
        precondition(firstOrdinal != 0, "ordinal 0 marks an empty slot")
        self.horizonMilliseconds = horizonMilliseconds
        self.capacity = capacity
        oldestOrdinal = firstOrdinal
        nextOrdinal = firstOrdinal
    }

    /// The number of ids remembered.
    public var count: Int { seen.count }

    /// Records `id` seen at event time `time`; returns false when it was already seen within the horizon.
    public mutating func insert(_ id: UnsafeRawBufferPointer, at time: Int64) -> Bool {
        guard horizonMilliseconds > 0 else { return true }
        let (first, second) = ByteHash.hashes(id, seeds: 0, Self.secondSeed)
        var key = Key(first: first, second: second)
        // An id hashing to (0, 0) (odds 1 in 2^128) is kept as (0, 1).
        if key == .zero { key.second = 1 }
        guard remember(key, at: time) else { return false }
        forgetBeyondCapacity()
        return true
    }

    /// Notes that `id` is about to be inserted, for the next ``readAhead()``.
    mutating func announce(_ id: UnsafeRawBufferPointer) {
        guard horizonMilliseconds > 0 else { return }
        // The first of the key's two hashes (seed 0) is all that picks the home slot.
        announcedHomes.append(UInt32(truncatingIfNeeded: ByteHash.hash(id, seed: 0)))
    }

    /// Reads, one right after another, the table slots that inserting the ids announced since the
    /// last call will probe first, and, when those inserts will take the set past its capacity,
    /// the slots of the oldest ids they will forget. Each is a cache miss (the default table is
    /// 256 MiB), and within one event's work nothing overlaps it: reading a group's slots together
    /// lets the misses overlap, so each costs a fraction of its latency. Changes nothing else.
    mutating func readAhead() {
        let announced = announcedHomes.count
        let forgotten = min(seen.count + announced - capacity, arrivals.count)
        if forgotten > 0 {
            for offset in 0..<forgotten { announcedHomes.append(arrivals[offset: offset].key.hashLow) }
        }
        readAheadFold |= announcedHomes.withUnsafeBufferPointer { seen.readHomes($0) }
        announcedHomes.removeAll(keepingCapacity: true)
    }

    /// Adds `key` as the newest arrival unless it is remembered already; returns whether it was added.
    private mutating func remember(_ key: Key, at time: Int64) -> Bool {
        guard !seen.contains(hashLow: key.hashLow, where: { arrivals[offset: position(of: $0)].key == key }) else { return false }
        seen.insert(IDHashSet.Entry(hashLow: key.hashLow, ordinal: nextOrdinal))
        arrivals.append((time, key))
        nextOrdinal = Self.ordinal(after: nextOrdinal)
        return true
    }

    /// Where the id of arrival `ordinal` stands in the arrival queue.
    private func position(of ordinal: UInt32) -> Int {
        let distance = Int(ordinal) - Int(oldestOrdinal)
        return distance >= 0 ? distance : distance + Int(UInt32.max)
    }

    private static func ordinal(after ordinal: UInt32) -> UInt32 {
        ordinal == .max ? 1 : ordinal + 1
    }

    /// Forgets ids whose event time is older than `clock` minus the horizon.
    public mutating func expire(before clock: Int64) {
        let cutoff = clock &- horizonMilliseconds
        while let oldest = arrivals.first, oldest.time < cutoff { forgetOldest() }
    }

    /// Keeps at most `capacity` ids from now on, forgetting the oldest at once (and counting them)
    /// if more are remembered.
    public mutating func changeCapacity(to capacity: Int) {
        precondition(capacity > 0, "DuplicateFilter: capacity must be positive")
        self.capacity = capacity
        forgetBeyondCapacity()
    }

    private mutating func forgetBeyondCapacity() {
        while seen.count > capacity {
            forgetOldest()
            forgottenEarly += 1
        }
    }

    private mutating func forgetOldest() {
        let oldest = arrivals.removeFirst()
        seen.remove(IDHashSet.Entry(hashLow: oldest.key.hashLow, ordinal: oldestOrdinal))
        oldestOrdinal = Self.ordinal(after: oldestOrdinal)
    }
}

extension DuplicateFilter {
    /// Empties the set, which ``encode(into:)`` does not write; the arrivals stay, but duplicates
    /// are no longer found (``SegmentEngine/copyForSnapshot()``).
    mutating func dropRebuiltParts() {
        seen = IDHashSet()
    }

    /// The remembered ids in arrival order, as columns (the set is rebuilt from them), then the
    /// count forgotten early. ``horizonMilliseconds`` and ``capacity`` come from the configuration.
    func encode(into writer: inout BinaryWriter) {
        writer.write(array: arrivals.map(\.time))
        writer.write(array: arrivals.map(\.key.first))
        writer.write(array: arrivals.map(\.key.second))
        writer.write(int: forgottenEarly)
    }

    /// Format 1 has no count forgotten early. Ids beyond `capacity` (a format 1 snapshot taken
    /// with more) are forgotten at once, oldest first, and counted.
    init(decoding reader: inout BinaryReader, horizonMilliseconds: Int64, capacity: Int, formatVersion: UInt32) throws(DurabilityError) {
        self.init(horizonMilliseconds: horizonMilliseconds, capacity: capacity)
        let times = try reader.readArray(of: Int64.self)
        let keysAt = reader.position
        let firsts = try reader.readColumn(of: UInt64.self, count: times.count, "remembered event id hashes")
        let seconds = try reader.readColumn(of: UInt64.self, count: times.count, "remembered event id hashes")
        seen = IDHashSet(minimumCapacity: times.count)
        for row in times.indices {
            let key = Key(first: firsts[row], second: seconds[row])
            guard key != .zero, remember(key, at: times[row]) else {
                throw reader.invalid("remembered event id hashes repeat or are (0, 0)", at: keysAt)
            }
        }
        if formatVersion >= 2 {
            let forgottenAt = reader.position
            forgottenEarly = try reader.readInt()
            guard forgottenEarly >= 0 else { throw reader.invalid("ids forgotten early \(forgottenEarly) is negative", at: forgottenAt) }
        }
        forgetBeyondCapacity()
    }
}
