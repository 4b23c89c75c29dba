import SegdDurability

/// Interns customer ids (opaque byte strings from producers) to dense integers 0, 1, 2, … so all
/// per-customer state can live in flat arrays indexed by that number.
///
/// Owned by the engine's single writer. Ids are kept back to back in one byte arena; the hash table
/// is open addressing with linear probing over 64-bit slots, each a hash tag (high half) and the
/// customer's number plus one (low half; zero marks an empty slot), so a probe reads one array and
/// compares bytes only on a tag match. Nothing is allocated per lookup.
///
/// Growth never stops the writer: the doubled table comes zeroed from `calloc` (``ZeroedTable``),
/// has its pages mapped one per new customer first (``TablePreparation``), and then customers move
/// into it in number order, two per call to ``intern(_:)``, while the previous table keeps
/// answering for those not moved yet. Rehashing a million ids at once stalled ingest
/// for 40 ms.
///
/// An id can be removed (privacy erasure): it leaves the table and its bytes are overwritten, but
/// its number stays taken, dead, since other state is indexed by it.
public struct CustomerIndex: Sendable {
    /// `idEnds[i]` is where customer `i`'s bytes end in `arena` (they start at `idEnds[i - 1]`).
    /// Columns that grow in place (``GrowableColumn``): as arrays, `idEnds` and `removed` doubled
    /// by copying at every power of two of customers (with the timer heap, 5 ms of one event at 2^19).
    private var arena = GrowableColumn<UInt8>()
    private var idEnds = GrowableColumn<UInt32>()
    /// Whether each number's id was removed.
    private var removed = GrowableColumn<Bool>()
    private var table: ZeroedTable<UInt64>
    /// Once the table is half full, the doubled one being made ready to move into.
    private var preparation = TablePreparation<UInt64>()
    /// While growing, the previous table, complete for the customers numbered below `moveEnd`.
    private var previous: ZeroedTable<UInt64>?
    /// Customers numbered below this are in `table`, and so is every one from `moveEnd` on.
    private var moved: Int32 = 0
    private var moveEnd: Int32 = 0

    /// Customers moved into a growing table per intern. Growth starts with the new table a quarter
    /// full; the next is due when it is half full, after as many new customers as it holds.
    private static let movesPerIntern = 2

    /// The most id bytes an index holds: where each id ends is a `UInt32`, in snapshots too.
    /// (Numbers, `Int32`, would run out only past 2^31 ids, far beyond any memory.)
    public static let idByteCapacity = Int(UInt32.max)
    /// Id bytes that can still be added: ``idByteCapacity`` less those held (a stored count, as
    /// ``hasRoom(for:)`` reads it for every event).
    private(set) var idBytesLeft = CustomerIndex.idByteCapacity

    public init(expectedCustomers: Int = 1024) {
        var capacity = 16
        while capacity < expectedCustomers * 2 { capacity <<= 1 }
        table = ZeroedTable(capacity: capacity)
    }

    /// The number of numbers handed out so far, removed ones included.
    public var count: Int { idEnds.count }

    /// Whether `id` can be interned: it fits beside the ids held, or it is known already (the
    /// lookup is spared while there is room, as nearly always).
    @inline(__always)
    public func hasRoom(for id: UnsafeRawBufferPointer) -> Bool {
        id.count <= idBytesLeft || lookup(id) != nil
    }

    /// Lets the index hold only `bytes` of ids, for tests, which cannot fill 4 GiB.
    mutating func limitIDBytes(to bytes: Int) {
        idBytesLeft = bytes - arena.count
    }

    /// Returns the dense number of `id`, assigning the next one if the id is new; a new id must
    /// fit (``hasRoom(for:)``).
    public mutating func intern(_ id: UnsafeRawBufferPointer) -> Int32 {
        makeUnique()
        if previous != nil { move(Self.movesPerIntern) }
        let hash = Self.hash(id)
        if let customer = find(id, hash: hash) { return customer }
        precondition(id.count <= idBytesLeft, "CustomerIndex: no room for another id (\(arena.count) bytes held)")
        let customer = Int32(idEnds.count)
        idBytesLeft -= id.count
        id.withMemoryRebound(to: UInt8.self) { arena.append(contentsOf: $0) }
        idEnds.append(UInt32(arena.count))
        removed.append(false)
        if let next = preparation.advance(growthDue: previous == nil && idEnds.count * 2 > table.capacity, capacity: table.capacity) {
            startGrowth(into: next, newest: customer)
        }
        Self.place(customer, hash: hash, in: table)
        return customer
    }

    /// Returns the dense number of `id`, or nil if it was never interned or was removed.
    public func lookup(_ id: UnsafeRawBufferPointer) -> Int32? {
        find(id, hash: Self.hash(id))
    }

    public func lookup(_ id: String) -> Int32? {
        var copy = id
        return copy.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// Removes customer `customer`'s id: lookups no longer find it, its bytes in the arena are
    /// overwritten with zeros, and if it is interned again it gets a new number.
    public mutating func remove(_ customer: Int32) {
        precondition(!removed[Int(customer)], "CustomerIndex: customer \(customer) was already removed")
        makeUnique()
        let hash = self.hash(of: customer)
        for table in [table, previous].compactMap(\.self) {
            guard let slot = Self.slot(of: customer, hash: hash, in: table) else { continue }
            table.vacate(slot, isEmpty: { $0 == 0 }) { [self] entry in
                Int(truncatingIfNeeded: self.hash(of: Self.customer(in: entry))) & table.mask
            }
        }
        for offset in byteRange(customer) { arena[offset] = 0 }
        removed[Int(customer)] = true
    }

    /// Whether customer `customer`'s id was removed.
    public func isRemoved(_ customer: Int32) -> Bool {
        removed[Int(customer)]
    }

    /// Calls `body` with the bytes of customer `customer`'s id.
    public func withID<Result>(_ customer: Int32, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let range = byteRange(customer)
        return try arena.withUnsafeBufferPointer { try body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0[range]))) }
    }

    /// Writes customer `customer`'s id as a JSON string. Taking the writer as an argument lets a
    /// caller pass two of its stored properties (index and writer) without copying either.
    public func writeID(_ customer: Int32, into writer: inout JSONWriter) {
        withID(customer) { writer.string(utf8: $0) }
    }

    /// The id of customer `customer` as a String (allocates; for output, not the hot path).
    public func id(_ customer: Int32) -> String {
        withID(customer) { String(decoding: $0, as: UTF8.self) }
    }

    private func byteRange(_ customer: Int32) -> Range<Int> {
        let index = Int(customer)
        let start = index == 0 ? 0 : Int(idEnds[index - 1])
        return start..<Int(idEnds[index])
    }

    private func matches(_ customer: Int32, _ id: UnsafeRawBufferPointer) -> Bool {
        let range = byteRange(customer)
        guard range.count == id.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            id.isEmpty || UnsafeRawBufferPointer(start: stored.baseAddress! + range.lowerBound, count: id.count).hasSameBytes(as: id)
        }
    }

    /// The number of the customer whose id is `id` (hashing to `hash`), in whichever table holds it.
    private func find(_ id: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        if let customer = find(id, hash: hash, in: table) { return customer }
        guard let previous else { return nil }
        return find(id, hash: hash, in: previous)
    }

    private func find(_ id: UnsafeRawBufferPointer, hash: UInt64, in table: ZeroedTable<UInt64>) -> Int32? {
        var slot = Int(truncatingIfNeeded: hash) & table.mask
        let tag = hash >> 32
        while true {
            let entry = table.slots[slot]
            if entry == 0 { return nil }
            if entry >> 32 == tag, matches(Self.customer(in: entry), id) { return Self.customer(in: entry) }
            slot = (slot + 1) & table.mask
        }
    }

    /// The slot of `table` holding `customer` (whose id hashes to `hash`), if it is there.
    private static func slot(of customer: Int32, hash: UInt64, in table: ZeroedTable<UInt64>) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & table.mask
        while table.slots[slot] != 0 {
            if Self.customer(in: table.slots[slot]) == customer { return slot }
            slot = (slot + 1) & table.mask
        }
        return nil
    }

    /// Puts `customer`, absent from `table`, in the first empty slot from its home.
    private static func place(_ customer: Int32, hash: UInt64, in table: ZeroedTable<UInt64>) {
        var slot = Int(truncatingIfNeeded: hash) & table.mask
        while table.slots[slot] != 0 { slot = (slot + 1) & table.mask }
        table.slots[slot] = (hash >> 32) << 32 | UInt64(UInt32(customer) + 1)
    }

    private static func customer(in entry: UInt64) -> Int32 {
        Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
    }

    private mutating func makeUnique() {
        ZeroedTable.makeUnique(&table)
        if previous != nil { ZeroedTable.makeUnique(&previous!) }
    }

    /// Starts moving into `next`, the prepared table; `newest`, just numbered, goes straight into it.
    private mutating func startGrowth(into next: ZeroedTable<UInt64>, newest: Int32) {
        previous = table
        table = next
        moved = 0
        moveEnd = newest
        if moveEnd == 0 { previous = nil }
    }

    /// Puts up to `limit` more of the customers numbered `moved ..< moveEnd` (those not removed)
    /// into the table, rehashing their ids; when all are in, the previous table goes.
    private mutating func move(_ limit: Int) {
        var count = 0
        while count < limit, moved < moveEnd {
            if !removed[Int(moved)] { Self.place(moved, hash: hash(of: moved), in: table) }
            moved += 1
            count += 1
        }
        if moved >= moveEnd { previous = nil }
    }

    private func hash(of customer: Int32) -> UInt64 {
        withID(customer) { Self.hash($0) }
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { ByteHash.hash(bytes, seed: 0) }
}

extension CustomerIndex {
    /// Empties the hash table (and any growth in progress), which ``encode(into:)`` does not write:
    /// the ids stay, but no longer resolve (``SegmentEngine/copyForSnapshot()``).
    mutating func dropRebuiltParts() {
        table = ZeroedTable(capacity: 16)
        preparation = TablePreparation()
        previous = nil
        moved = 0
        moveEnd = 0
    }

    /// The ids back to back and where each ends. The hash table is rebuilt on decoding (about
    /// 60 ms for a million ids) rather than stored (8 bytes a slot, at least two slots an id).
    /// Removed numbers are listed, ascending.
    func encode(into writer: inout BinaryWriter) {
        arena.withUnsafeBufferPointer { writer.write(lengthPrefixed: UnsafeRawBufferPointer($0)) }
        writer.write(array: Array(idEnds))
        writer.write(array: removed.indices.filter { removed[$0] }.map { Int32($0) })
    }

    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let arenaAt = reader.position
        let arena = try reader.readLengthPrefixed()
        let endsAt = reader.position
        let idEnds = try reader.readArray(of: UInt32.self)
        var previous: UInt32 = 0
        for end in idEnds {
            guard end >= previous else { throw reader.invalid("customer id ends are not ascending", at: endsAt) }
            previous = end
        }
        guard Int(previous) == arena.count else {
            throw reader.invalid("customer ids end at byte \(previous) of \(arena.count)", at: arenaAt)
        }
        let removedAt = reader.position
        var removed = GrowableColumn(repeating: false, count: idEnds.count)
        var lastRemoved = -1
        for customer in try reader.readArray(of: Int32.self) {
            guard Int(customer) > lastRemoved, Int(customer) < idEnds.count else {
                throw reader.invalid("removed customer numbers are not ascending numbers below \(idEnds.count)", at: removedAt)
            }
            removed[Int(customer)] = true
            lastRemoved = Int(customer)
        }
        self.init(expectedCustomers: idEnds.count)
        idBytesLeft = Self.idByteCapacity - arena.count
        self.arena = GrowableColumn(arena)
        self.idEnds = GrowableColumn(idEnds)
        self.removed = removed
        // Every id into the empty table, sized for them all.
        moveEnd = Int32(idEnds.count)
        move(Int.max)
    }
}
