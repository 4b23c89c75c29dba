/// A set of 128-bit id hashes: open addressing with linear probing over one flat table of keys,
/// at most half full, with no tombstones (a removal shifts the entries probed past it back).
///
/// The keys are already well-mixed hashes, so a key's low bits pick its slot directly: no
/// `Hasher` round per lookup, as a `Set` or `Dictionary` would make for every event. The key
/// (0, 0) marks an empty slot and cannot be stored. Owned by one writer.
///
/// Growth never stops the writer. A set of millions of ids that rehashed everything at once
/// stalled ingest for tens of milliseconds (zeroing the new table, then a cache miss per key), the
/// largest hiccup in publish-to-alert latency. Instead the new table comes zeroed from `calloc`
/// (``ZeroedTable``) and has its pages mapped one per insert first (``TablePreparation``); then the
/// old one is kept beside it, and each insert moves a few of its clusters across; lookups and
/// removals look in both meanwhile.
struct IDHashSet: Sendable {
    struct Key: Equatable, Sendable {
        var first: UInt64
        var second: UInt64

        static let empty = Key(first: 0, second: 0)
    }

    private var table: KeyTable
    /// Once the table is half full, the doubled one being made ready to move into.
    private var preparation = TablePreparation<Key>()
    /// While growing, the previous table: its clusters still to move, the others emptied.
    private var draining: KeyTable?
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
        table = KeyTable(capacity: max(16, 1 << (Int.bitWidth - (max(minimumCapacity, 1) * 2 - 1).leadingZeroBitCount)))
    }

    func contains(_ key: Key) -> Bool {
        table.find(key) != nil || (isUndrained(key) && draining!.find(key) != nil)
    }

    /// Whether `key` may still be in the table being drained: not once the walk has passed its
    /// home slot there, since the walk moves whole clusters and a key lies in its home's cluster.
    /// Saves a lookup in the old table, a cache miss, for half the keys of a growth on average.
    private func isUndrained(_ key: Key) -> Bool {
        guard let old = draining else { return false }
        let walked = old.capacity - 1 - drainRemaining
        return (Int(truncatingIfNeeded: key.first) &- drainStart) & old.mask >= walked
    }

    /// Adds `key`; returns false when it was already present.
    @discardableResult
    mutating func insert(_ key: Key) -> Bool {
        precondition(key != .empty, "the key (0, 0) marks empty slots")
        makeUnique()
        if draining != nil { drain(slots: Self.drainSlotsPerInsert) }
        if contains(key) { return false }
        if let next = preparation.advance(growthDue: draining == nil && (count + 1) * 2 > table.capacity, capacity: table.capacity) {
            startGrowth(into: next)
        }
        table.place(key)
        count += 1
        return true
    }

    /// Removes `key` if present.
    mutating func remove(_ key: Key) {
        makeUnique()
        if table.remove(key) || (isUndrained(key) && draining!.remove(key)) { count -= 1 }
    }

    private mutating func makeUnique() {
        KeyTable.makeUnique(&table)
        if draining != nil { KeyTable.makeUnique(&draining!) }
    }

    /// Starts moving into `next`, the prepared table.
    private mutating func startGrowth(into next: KeyTable) {
        let old = table
        table = next
        // Start just after an empty slot (a table about half full has many), so no cluster
        // wraps past the point where the walk ends.
        var start = 0
        while old.slots[start] != .empty { start += 1 }
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
            while old.slots[drainCursor] != .empty {
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

private typealias KeyTable = ZeroedTable<IDHashSet.Key>

extension ZeroedTable<IDHashSet.Key> {
    private func home(_ key: IDHashSet.Key) -> Int { Int(truncatingIfNeeded: key.first) & mask }

    /// The slot holding `key`, if any.
    func find(_ key: IDHashSet.Key) -> Int? {
        var index = home(key)
        while slots[index] != .empty {
            if slots[index] == key { return index }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Puts `key`, known to be absent, in the first empty slot from its home.
    func place(_ key: IDHashSet.Key) {
        var index = home(key)
        while slots[index] != .empty { index = (index + 1) & mask }
        slots[index] = key
    }

    /// Removes `key` if present and returns whether it was.
    func remove(_ key: IDHashSet.Key) -> Bool {
        guard let slot = find(key) else { return false }
        vacate(slot, isEmpty: { $0 == .empty }, home: home)
        return true
    }
}
