/// The index of the dedup filter's remembered ids (``DuplicateFilter``): open addressing with
/// linear probing over one flat table of 8-byte entries, at most half full, with no tombstones (a
/// removal shifts the entries probed past it back).
///
/// An entry holds the low 32 bits of an id's first hash and the ordinal of its arrival; the whole
/// 128-bit key stays in the owner's arrival queue, where the ordinal finds it. The low bits pick
/// the home slot directly (the keys are well-mixed hashes: no `Hasher` round per lookup, as a `Set`
/// would make for every event) and tell nearly every other id apart at once, so a lookup reads the
/// queue only for an id that matches them. Entries of 8 bytes instead of the 16-byte keys halve the
/// table: the default 10 million ids take 2^25 slots of 256 MiB, and a lookup for an absent id
/// reads 2.5 slots on average at half load, 20 bytes of one cache line or two. Ordinal 0 marks an
/// empty slot. Tables have at most 2^32 slots (the filter keeps at most 10^9 ids), so the 32 bits
/// hold every home. Owned by one writer.
///
/// Growth never stops the writer. A set of millions of ids that rehashed everything at once
/// stalled ingest for tens of milliseconds (zeroing the new table, then a cache miss per key), the
/// largest hiccup in publish-to-alert latency. Instead the new table comes zeroed from `calloc`
/// (``ZeroedTable``) and has its pages mapped one per insert first (``TablePreparation``); then the
/// old one is kept beside it, and each insert moves a few of its clusters across; lookups and
/// removals look in both meanwhile.
struct IDHashSet: Sendable {
    struct Entry: Equatable, Sendable {
        /// The low 32 bits of the id's first hash.
        var hashLow: UInt32
        /// The id's arrival ordinal in its owner's queue, never 0.
        var ordinal: UInt32

        static let empty = Entry(hashLow: 0, ordinal: 0)

        var isEmpty: Bool { ordinal == 0 }
    }

    private var table: EntryTable
    /// Once the table is half full, the doubled one being made ready to move into.
    private var preparation = TablePreparation<Entry>()
    /// While growing, the previous table: its clusters still to move, the others emptied.
    private var draining: EntryTable?
    /// The next slot of `draining` to look at: the slot before it is empty, so a cluster starts
    /// at it or later and is moved whole (moving part of one would hide the rest from lookups).
    private var drainCursor = 0
    /// Slots of `draining` not yet looked at.
    private var drainRemaining = 0
    /// The slot of `draining` the walk began at: it has passed the slots from here to `drainCursor`.
    private var drainStart = 0
    private(set) var count = 0

    /// Old slots looked at per insert while growing. Growth starts with the new table a quarter
    /// full, and the next one is due when it is half full, after as many inserts as the old table
    /// has keys (at most half its slots): two slots per insert would do; four leave room.
    private static let drainSlotsPerInsert = 4

    init(minimumCapacity: Int = 8) {
        // The smallest power of two at least twice the capacity asked for (and at least 16).
        table = EntryTable(capacity: max(16, 1 << (Int.bitWidth - (max(minimumCapacity, 1) * 2 - 1).leadingZeroBitCount)))
    }

    /// Whether an entry with these hash bits is present whose ordinal `isKey` accepts: the
    /// caller compares the whole key it keeps under that ordinal.
    func contains(hashLow: UInt32, where isKey: (UInt32) -> Bool) -> Bool {
        table.contains(hashLow: hashLow, where: isKey) || (isUndrained(hashLow) && draining!.contains(hashLow: hashLow, where: isKey))
    }

    /// Whether an entry with these hash bits may still be in the table being drained: not once the
    /// walk has passed its home slot there, since the walk moves whole clusters and an entry lies
    /// in its home's cluster. Saves a lookup in the old table, a cache miss, for half the ids of a
    /// growth on average.
    private func isUndrained(_ hashLow: UInt32) -> Bool {
        guard let old = draining else { return false }
        let walked = old.capacity - 1 - drainRemaining
        return (Int(hashLow) &- drainStart) & old.mask >= walked
    }

    /// Reads the home slots of `hashLows`, in the table being drained too where a lookup would
    /// look there, one right after another so that their cache misses overlap
    /// (``DuplicateFilter/readAhead()``); returns their ordinals folded together, for the
    /// caller to keep so that the reads are not optimized away.
    func readHomes(_ hashLows: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var folded: UInt32 = 0
        for hashLow in hashLows {
            folded |= table.slots[Int(hashLow) & table.mask].ordinal
            if isUndrained(hashLow) { folded |= draining!.slots[Int(hashLow) & draining!.mask].ordinal }
        }
        return folded
    }

    /// Adds `entry`, whose id the caller found absent.
    mutating func insert(_ entry: Entry) {
        precondition(!entry.isEmpty, "ordinal 0 marks empty slots")
        makeUnique()
        if draining != nil { drain(slots: Self.drainSlotsPerInsert) }
        if let next = preparation.advance(growthDue: draining == nil && (count + 1) * 2 > table.capacity, capacity: table.capacity) {
            startGrowth(into: next)
        }
        table.place(entry)
        count += 1
    }

    /// Removes `entry` if present.
    mutating func remove(_ entry: Entry) {
        makeUnique()
        if table.remove(entry) || (isUndrained(entry.hashLow) && draining!.remove(entry)) { count -= 1 }
    }

    private mutating func makeUnique() {
        EntryTable.makeUnique(&table)
        if draining != nil { EntryTable.makeUnique(&draining!) }
    }

    /// Starts moving into `next`, the prepared table.
    private mutating func startGrowth(into next: EntryTable) {
        let old = table
        table = next
        // Start just after an empty slot (a table about half full has many), so no cluster
        // wraps past the point where the walk ends.
        var start = 0
        while !old.slots[start].isEmpty { start += 1 }
        draining = old
        drainStart = (start + 1) & old.mask
        drainCursor = drainStart
        drainRemaining = old.capacity - 1
    }

    /// Looks at `slots` more slots of the old table (finishing the cluster it is in), moving each
    /// cluster into the new table and emptying it.
    private mutating func drain(slots: Int) {
        guard let old = draining else { return }
        var looked = 0
        while looked < slots, drainRemaining > 0 {
            while !old.slots[drainCursor].isEmpty {
                table.place(old.slots[drainCursor])
                old.slots[drainCursor] = .empty
                drainCursor = (drainCursor + 1) & old.mask
                drainRemaining -= 1
                looked += 1
            }
            drainCursor = (drainCursor + 1) & old.mask
            drainRemaining -= 1
            looked += 1
        }
        if drainRemaining <= 0 { draining = nil }
    }
}

private typealias EntryTable = ZeroedTable<IDHashSet.Entry>

extension ZeroedTable<IDHashSet.Entry> {
    private func home(_ hashLow: UInt32) -> Int { Int(hashLow) & mask }

    /// The slot of the first entry in `hashLow`'s probe run that `matches`, if any.
    @inline(__always)
    private func firstSlot(from hashLow: UInt32, where matches: (IDHashSet.Entry) -> Bool) -> Int? {
        var index = home(hashLow)
        while !slots[index].isEmpty {
            if matches(slots[index]) { return index }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Whether an entry with `hashLow` is present whose ordinal `isKey` accepts.
    func contains(hashLow: UInt32, where isKey: (UInt32) -> Bool) -> Bool {
        firstSlot(from: hashLow) { $0.hashLow == hashLow && isKey($0.ordinal) } != nil
    }

    /// Puts `entry`, known to be absent, in the first empty slot from its home.
    func place(_ entry: IDHashSet.Entry) {
        var index = home(entry.hashLow)
        while !slots[index].isEmpty { index = (index + 1) & mask }
        slots[index] = entry
    }

    /// Removes `entry` if present and returns whether it was.
    func remove(_ entry: IDHashSet.Entry) -> Bool {
        guard let slot = firstSlot(from: entry.hashLow, where: { $0 == entry }) else { return false }
        vacate(slot, isEmpty: \.isEmpty, home: { home($0.hashLow) })
        return true
    }
}
