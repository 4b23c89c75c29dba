/// The last `producer_seq` of every producer that stamps its events, to count the messages lost
/// on the way to segd (PUB drops silently at its high-water mark, so only the producer's own
/// numbering can show the loss).
///
/// A transport-level view, owned by the ingest loop: not journaled, not in snapshots, empty after
/// a restart. For each stamped message that arrived (accepted or dead-lettered for some other
/// fault):
/// - a producer not in the table is remembered with its number; nothing is counted, since what it
///   sent before is unknown (also after a restart of segd or an eviction);
/// - `seq = last + k` with k > 1 counts k − 1 ``gaps``;
/// - `seq <= last` (the producer restarted its counter, or messages were reordered or repeated)
///   counts one ``resets`` and tracking continues from `seq`.
///
/// At most ``capacity`` producers are tracked. A new producer arriving at a full table takes the
/// place of one that has sent nothing since the eviction hand last passed it (the CLOCK
/// approximation of least recently seen): each producer has a "seen" bit, set by each of its
/// messages; the hand clears set bits as it sweeps and evicts the first producer whose bit is
/// clear. Each eviction counts one ``evictions``.
///
/// Producers are told apart by a 64-bit hash of their id (Swift's `Hasher`, seeded per process);
/// two ids colliding among 10,000 producers has a probability of about 3·10⁻¹². Nothing is
/// allocated after `init`: the table is sized for ``capacity`` up front.
struct ProducerSequences {
    static let defaultCapacity = 10_000

    let capacity: Int
    /// Messages missing between consecutive stamps of the same producer.
    private(set) var gaps = 0
    /// Stamps at or below their producer's previous one.
    private(set) var resets = 0
    /// Producers forgotten to make room for a new one.
    private(set) var evictions = 0

    /// Per tracked producer (dense, `0..<count`): its id's hash, last seq and "seen" bit.
    private var keys: [UInt64]
    private var lastSeqs: [Int64]
    private var seen: [Bool]
    /// Open addressing with linear probing over a power of two at least twice ``capacity``:
    /// each slot holds a producer's index + 1, or 0 when empty.
    private var slots: [Int32]
    private var hand = 0

    init(capacity: Int = Self.defaultCapacity) {
        precondition(capacity > 0 && capacity <= Int(Int32.max) / 2, "capacity must be positive")
        self.capacity = capacity
        keys = []
        keys.reserveCapacity(capacity)
        lastSeqs = []
        lastSeqs.reserveCapacity(capacity)
        seen = []
        seen.reserveCapacity(capacity)
        var slotCount = 1
        while slotCount < 2 * capacity { slotCount <<= 1 }
        slots = Array(repeating: 0, count: slotCount)
    }

    /// Producers currently tracked.
    var count: Int { keys.count }

    /// Notes that a message stamped (`id`, `seq`) arrived.
    mutating func record(id: UnsafeRawBufferPointer, seq: Int64) {
        var hasher = Hasher()
        hasher.combine(bytes: id)
        let key = UInt64(UInt(bitPattern: hasher.finalize()))
        let (slot, found) = probe(key)
        if let index = found {
            let last = lastSeqs[index]
            if seq > last {
                gaps += Int(seq - last - 1)
            } else {
                resets += 1
            }
            lastSeqs[index] = seq
            seen[index] = true
            return
        }
        if keys.count < capacity {
            keys.append(key)
            lastSeqs.append(seq)
            seen.append(true)
            slots[slot] = Int32(keys.count)
            return
        }
        let index = victim()
        removeSlot(of: keys[index])
        evictions += 1
        keys[index] = key
        lastSeqs[index] = seq
        seen[index] = true
        // The removal may have moved entries, so look for the new key's free slot again.
        slots[probe(key).slot] = Int32(index + 1)
    }

    /// The slot holding `key`'s producer and its index, or the empty slot where it would go.
    private func probe(_ key: UInt64) -> (slot: Int, index: Int?) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return (slot, nil) }
            if keys[entry - 1] == key { return (slot, entry - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// Advances the CLOCK hand to the first producer not seen since the hand last passed it,
    /// clearing the bits of those it passes, and returns that producer's index.
    private mutating func victim() -> Int {
        while seen[hand] {
            seen[hand] = false
            hand = (hand + 1) % capacity
        }
        let index = hand
        hand = (hand + 1) % capacity
        return index
    }

    /// Empties `key`'s slot, shifting later entries of its probe run back so every lookup still
    /// finds them (deletion without tombstones).
    private mutating func removeSlot(of key: UInt64) {
        let mask = slots.count - 1
        var hole = probe(key).slot
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: keys[Int(slots[next]) - 1]) & mask
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            let distanceToHole = (hole - home) & mask
            let distanceToNext = (next - home) & mask
            if distanceToHole < distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }
}
