/// A set of 128-bit id hashes: open addressing with linear probing over one flat array of keys,
/// at most half full, with no tombstones (a removal shifts the entries probed past it back).
///
/// The keys are already well-mixed hashes, so a key's low bits pick its slot directly: no
/// `Hasher` round per lookup, as a `Set` or `Dictionary` would make for every event. The key
/// (0, 0) marks an empty slot and cannot be stored. Owned by one writer.
struct IDHashSet: Sendable {
    struct Key: Equatable, Sendable {
        var first: UInt64
        var second: UInt64

        static let empty = Key(first: 0, second: 0)
    }

    private var slots: [Key]
    private(set) var count = 0

    init(minimumCapacity: Int = 8) {
        // The smallest power of two at least twice the capacity asked for (and at least 16).
        let capacity = max(16, 1 << (Int.bitWidth - (max(minimumCapacity, 1) * 2 - 1).leadingZeroBitCount))
        slots = Array(repeating: .empty, count: capacity)
    }

    func contains(_ key: Key) -> Bool {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: key.first) & mask
        while slots[index] != .empty {
            if slots[index] == key { return true }
            index = (index + 1) & mask
        }
        return false
    }

    /// Adds `key`; returns false when it was already present.
    @discardableResult
    mutating func insert(_ key: Key) -> Bool {
        precondition(key != .empty, "the key (0, 0) marks empty slots")
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: key.first) & mask
        while slots[index] != .empty {
            if slots[index] == key { return false }
            index = (index + 1) & mask
        }
        slots[index] = key
        count += 1
        return true
    }

    /// Removes `key` if present. Entries probed past its slot move back into the gap when their
    /// home slot allows, so every key stays reachable from its home without tombstones.
    mutating func remove(_ key: Key) {
        let mask = slots.count - 1
        var gap = Int(truncatingIfNeeded: key.first) & mask
        while slots[gap] != key {
            guard slots[gap] != .empty else { return }
            gap = (gap + 1) & mask
        }
        var next = (gap + 1) & mask
        while slots[next] != .empty {
            // The entry at `next` may move into the gap unless its home lies cyclically in (gap, next].
            let homeAfterGap = (Int(truncatingIfNeeded: slots[next].first) &- gap) & mask
            let nextAfterGap = (next &- gap) & mask
            if homeAfterGap == 0 || homeAfterGap > nextAfterGap {
                slots[gap] = slots[next]
                gap = next
            }
            next = (next + 1) & mask
        }
        slots[gap] = .empty
        count -= 1
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .empty, count: old.count * 2)
        count = 0
        for key in old where key != .empty { insert(key) }
    }
}
