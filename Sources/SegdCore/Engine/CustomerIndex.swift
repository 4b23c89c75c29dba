import SegdDurability

/// Interns customer ids (opaque byte strings from producers) to dense integers 0, 1, 2, … so all
/// per-customer state can live in flat arrays indexed by that number.
///
/// Owned by the engine's single writer. Ids are kept back to back in one byte arena; the hash table
/// is open addressing with linear probing over `Int32` slots plus a parallel array of hash tags, so
/// a lookup touches two small arrays and compares bytes only on a tag match. Nothing is allocated
/// per lookup; the arrays grow geometrically.
///
/// An id can be removed (privacy erasure): it leaves the table and its bytes are overwritten, but
/// its number stays taken, dead, since other state is indexed by it.
public struct CustomerIndex: Sendable {
    /// `idEnds[i]` is where customer `i`'s bytes end in `arena` (they start at `idEnds[i - 1]`).
    private var arena: [UInt8] = []
    private var idEnds: [UInt32] = []
    /// Whether each number's id was removed.
    private var removed: [Bool] = []
    private var slots: [Int32]
    private var tags: [UInt32]
    private var mask: Int

    public init(expectedCustomers: Int = 1024) {
        var capacity = 16
        while capacity < expectedCustomers * 2 { capacity <<= 1 }
        slots = Array(repeating: -1, count: capacity)
        tags = Array(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// The number of numbers handed out so far, removed ones included.
    public var count: Int { idEnds.count }

    /// Returns the dense number of `id`, assigning the next one if the id is new.
    public mutating func intern(_ id: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(id)
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        while true {
            let customer = slots[slot]
            if customer < 0 { break }
            if tags[slot] == tag, matches(customer, id) { return customer }
            slot = (slot + 1) & mask
        }
        let customer = Int32(idEnds.count)
        arena.append(contentsOf: id)
        idEnds.append(UInt32(arena.count))
        removed.append(false)
        slots[slot] = customer
        tags[slot] = tag
        if idEnds.count * 2 > slots.count { grow() }
        return customer
    }

    /// Returns the dense number of `id`, or nil if it was never interned or was removed.
    public func lookup(_ id: UnsafeRawBufferPointer) -> Int32? {
        let hash = Self.hash(id)
        var slot = Int(truncatingIfNeeded: hash) & mask
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        while true {
            let customer = slots[slot]
            if customer < 0 { return nil }
            if tags[slot] == tag, matches(customer, id) { return customer }
            slot = (slot + 1) & mask
        }
    }

    public func lookup(_ id: String) -> Int32? {
        var copy = id
        return copy.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// Removes customer `customer`'s id: lookups no longer find it, its bytes in the arena are
    /// overwritten with zeros, and if it is interned again it gets a new number.
    public mutating func remove(_ customer: Int32) {
        precondition(!removed[Int(customer)], "CustomerIndex: customer \(customer) was already removed")
        var hole = homeSlot(of: customer)
        while slots[hole] != customer { hole = (hole + 1) & mask }
        for offset in byteRange(customer) { arena[offset] = 0 }
        removed[Int(customer)] = true
        // Backward-shift deletion: an entry after the hole in its probe run moves back into it
        // unless its home slot lies after the hole, so no run is cut short and every lookup
        // still finds its id without tombstones.
        var next = (hole + 1) & mask
        while slots[next] >= 0 {
            if (next - homeSlot(of: slots[next])) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                tags[hole] = tags[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = -1
        tags[hole] = 0
    }

    /// Whether customer `customer`'s id was removed.
    public func isRemoved(_ customer: Int32) -> Bool {
        removed[Int(customer)]
    }

    /// Calls `body` with the bytes of customer `customer`'s id.
    public func withID<Result>(_ customer: Int32, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let range = byteRange(customer)
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Writes customer `customer`'s id as a JSON string. Taking the writer as an argument lets a
    /// caller pass two of its stored properties (index and writer) without copying either.
    public func writeID(_ customer: Int32, into writer: inout JSONWriter) {
        withID(customer) { writer.string(utf8: $0) }
    }

    /// The id of customer `customer` as a String (allocates; for output, not the hot path).
    public func id(_ customer: Int32) -> String {
        String(decoding: arena[byteRange(customer)], as: UTF8.self)
    }

    private func byteRange(_ customer: Int32) -> Range<Int> {
        let index = Int(customer)
        let start = index == 0 ? 0 : Int(idEnds[index - 1])
        return start..<Int(idEnds[index])
    }

    /// The slot the probe for customer `customer`'s id starts at.
    private func homeSlot(of customer: Int32) -> Int {
        withID(customer) { Int(truncatingIfNeeded: Self.hash($0)) & mask }
    }

    private func matches(_ customer: Int32, _ id: UnsafeRawBufferPointer) -> Bool {
        let range = byteRange(customer)
        guard range.count == id.count else { return false }
        return arena.withUnsafeBytes { stored in
            id.count == 0 || memcmpEqual(stored.baseAddress! + range.lowerBound, id.baseAddress!, id.count)
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: -1, count: capacity)
        tags = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        insertAll()
    }

    /// Puts every id not removed into the table, which is empty and large enough.
    private mutating func insertAll() {
        for customer in 0..<Int32(idEnds.count) where !removed[Int(customer)] {
            let hash = withID(customer) { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = customer
            tags[slot] = UInt32(truncatingIfNeeded: hash >> 32)
        }
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { ByteHash.hash(bytes, seed: 0) }
}

extension CustomerIndex {
    /// The ids back to back and where each ends. The hash table is rebuilt on decoding (about
    /// 60 ms for a million ids) rather than stored (8 bytes a slot, at least two slots an id).
    /// Removed numbers are listed, ascending.
    func encode(into writer: inout BinaryWriter) {
        writer.write(lengthPrefixed: arena)
        writer.write(array: idEnds)
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
        var removed = Array(repeating: false, count: idEnds.count)
        var lastRemoved = -1
        for customer in try reader.readArray(of: Int32.self) {
            guard Int(customer) > lastRemoved, Int(customer) < idEnds.count else {
                throw reader.invalid("removed customer numbers are not ascending numbers below \(idEnds.count)", at: removedAt)
            }
            removed[Int(customer)] = true
            lastRemoved = Int(customer)
        }
        self.init(expectedCustomers: idEnds.count)
        self.arena = arena
        self.idEnds = idEnds
        self.removed = removed
        insertAll()
    }
}

@inline(__always)
private func memcmpEqual(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, _ count: Int) -> Bool {
    for offset in 0..<count where lhs.load(fromByteOffset: offset, as: UInt8.self) != rhs.load(fromByteOffset: offset, as: UInt8.self) {
        return false
    }
    return true
}
