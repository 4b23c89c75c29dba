#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory of one open-addressing hash table, a power of two in size, from `calloc`: a large
/// table gets fresh pages from the kernel, zero until first written, so a new table costs no pass
/// over its memory. The tables using it mark an empty slot with all zero bits, and grow by moving
/// into a doubled table a little at a time instead of stopping their writer to rehash everything
/// (``IDHashSet``, ``CustomerIndex``).
final class ZeroedTable<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: the memory is only reached through the one value (IDHashSet, CustomerIndex)
    // that owns this table uniquely, copying it before a write when shared, on its writer's thread.
    let capacity: Int
    let slots: UnsafeMutablePointer<Element>

    init(capacity: Int) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "a table's size is a power of two")
        self.capacity = capacity
        guard let memory = calloc(capacity, MemoryLayout<Element>.stride) else {
            fatalError("out of memory for a hash table of \(capacity) slots")
        }
        slots = memory.bindMemory(to: Element.self, capacity: capacity)
    }

    deinit { free(slots) }

    var mask: Int { capacity - 1 }

    /// Copy on write: leaves `table` alone when nothing else holds it, else replaces it by a copy,
    /// so a copy of the owning value (a copied engine) shares its tables until one of them changes.
    static func makeUnique(_ table: inout ZeroedTable) {
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
    }

    private func copy() -> ZeroedTable {
        let copy = ZeroedTable(capacity: capacity)
        copy.slots.update(from: slots, count: capacity)
        return copy
    }
}

extension ZeroedTable {
    /// Empties slot `gap` of a linear-probing table without tombstones: each entry probed past it
    /// moves back into the gap unless its home slot lies cyclically after the gap, so every entry
    /// stays reachable from its home and clusters only ever split.
    @inline(__always)
    func vacate(_ gap: Int, isEmpty: (Element) -> Bool, home: (Element) -> Int) {
        var gap = gap
        var next = (gap + 1) & mask
        while !isEmpty(slots[next]) {
            // The entry at `next` may move into the gap unless its home lies cyclically in (gap, next].
            let homeAfterGap = (home(slots[next]) &- gap) & mask
            let nextAfterGap = (next &- gap) & mask
            if homeAfterGap == 0 || homeAfterGap > nextAfterGap {
                slots[gap] = slots[next]
                gap = next
            }
            next = (next + 1) & mask
        }
        UnsafeMutableRawPointer(slots + gap).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Element>.stride)
    }
}
