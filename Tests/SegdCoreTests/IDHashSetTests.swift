@testable import SegdCore
import Testing

@Suite("Id hash set")
struct IDHashSetTests {
    @Test("id hashes keep the values snapshots hold (the dedup filter stores them), and one pass gives both seeds' hashes")
    func byteHashValuesArePinned() {
        let pinned: [(id: String, first: UInt64, second: UInt64)] = [
            ("", 0xEFD0_1F60_BA99_2926, 0x6BCB_9D63_EB8E_AB8B),
            ("c42", 0x9D74_0312_CFDC_236E, 0x86AD_7480_7B57_7A83),
            ("3f2a9c1e-5b7d-4e8a-9f10-2b3c4d5e6f70", 0xFE6C_45CB_24D3_6A8E, 0x24FB_335B_B085_A830),
        ]
        for (id, first, second) in pinned {
            Array(id.utf8).withUnsafeBytes { bytes in
                #expect(ByteHash.hash(bytes, seed: 0) == first, "\(id)")
                #expect(ByteHash.hash(bytes, seed: DuplicateFilter.secondSeed) == second, "\(id)")
                let pair = ByteHash.hashes(bytes, seeds: 0, DuplicateFilter.secondSeed)
                #expect(pair.0 == first && pair.1 == second, "\(id)")
            }
        }
    }

    /// The set with the arrival queue its owner keeps: each key's number under its ordinal, as
    /// ``DuplicateFilter`` keeps whole keys. `hashLow` gives many keys the same home and low bits,
    /// so probe runs wrap and interleave and lookups go to the queue.
    struct IndexedKeys {
        var set = IDHashSet()
        var numbers: [UInt32: UInt64] = [:]
        var ordinals: [UInt64: UInt32] = [:]
        var nextOrdinal: UInt32 = 1
        let hashLow: (UInt64) -> UInt32

        func contains(_ number: UInt64) -> Bool {
            set.contains(hashLow: hashLow(number)) { numbers[$0] == number }
        }

        /// Inserts `number` unless present; returns whether it did.
        mutating func insert(_ number: UInt64) -> Bool {
            guard !contains(number) else { return false }
            set.insert(IDHashSet.Entry(hashLow: hashLow(number), ordinal: nextOrdinal))
            numbers[nextOrdinal] = number
            ordinals[number] = nextOrdinal
            nextOrdinal += 1
            return true
        }

        mutating func remove(_ number: UInt64) {
            guard let ordinal = ordinals.removeValue(forKey: number) else { return }
            set.remove(IDHashSet.Entry(hashLow: hashLow(number), ordinal: ordinal))
            numbers[ordinal] = nil
        }
    }

    @Test("inserts and removals agree with a Set, through growth, crowded probe runs and shared hash bits")
    func agreesWithSet() {
        var table = IndexedKeys { UInt32($0 % 251) }
        var model = Set<UInt64>()
        var random = SeededRandom(seed: 5)
        for step in 0..<20_000 {
            let number = random.next() % 3_000
            if random.next() % 3 < 2 {
                let inserted = table.insert(number)
                #expect(inserted == model.insert(number).inserted)
            } else {
                table.remove(number)
                model.remove(number)
            }
            guard step % 499 == 0 else { continue }
            #expect(table.set.count == model.count)
            for probe in 0..<UInt64(3_000) where table.contains(probe) != model.contains(probe) {
                Issue.record("key \(probe): in the table \(table.contains(probe)), in the model \(model.contains(probe))")
                return
            }
        }
    }

    @Test("a set growing from 16 to 2^18 slots while its oldest keys leave, as the dedup window does, loses and invents nothing")
    func growsWhileOldKeysLeave() {
        var random = SeededRandom(seed: 11)
        var table = IndexedKeys { UInt32(truncatingIfNeeded: $0) }
        var keys: [UInt64] = []
        var oldest = 0
        for step in 0..<100_000 {
            let key = random.next()
            let inserted = table.insert(key)
            #expect(inserted)
            keys.append(key)
            // Forget the oldest keys more slowly than new ones come, so the set keeps growing.
            if step % 3 == 2 {
                table.remove(keys[oldest])
                oldest += 1
            }
            guard step % 1_013 == 0 else { continue }
            #expect(table.set.count == keys.count - oldest)
            #expect(keys[oldest...].allSatisfy { table.contains($0) }, "a remembered key went missing at step \(step)")
            #expect(!keys[..<oldest].contains { table.contains($0) }, "a forgotten key came back at step \(step)")
            let insertedAgain = table.insert(keys[keys.count - 1])
            #expect(!insertedAgain, "a key inserted twice")
        }
    }

    @Test("a copy of the set keeps its entries while the original changes")
    func copiesAreIndependent() {
        var original = IndexedKeys { UInt32($0) }
        for number in 1...100 { _ = original.insert(UInt64(number)) }
        let copy = original
        for number in 1...50 { original.remove(UInt64(number)) }
        for number in 101...200 { _ = original.insert(UInt64(number)) }
        #expect(copy.set.count == 100)
        #expect((1...100).allSatisfy { copy.contains(UInt64($0)) })
        #expect(!copy.contains(150))
        #expect(original.set.count == 150)
        #expect(!original.contains(25) && original.contains(75) && original.contains(150))
    }

    @Test("copies made while the doubled table is being prepared grow into tables of their own")
    func copiesMadeDuringPreparationGrowApart() {
        var original = IndexedKeys { UInt32($0 % 1_000) }
        // The ninth key makes the 16-slot table more than half full: preparing the next one starts.
        for number in 1...9 { _ = original.insert(UInt64(number)) }
        var copy = original
        for number in 10...300 {
            _ = original.insert(UInt64(number))
            _ = copy.insert(UInt64(number) + 1_000)
        }
        #expect(original.set.count == 300 && copy.set.count == 300)
        #expect((1...9).allSatisfy { original.contains(UInt64($0)) && copy.contains(UInt64($0)) })
        #expect((10...300).allSatisfy { original.contains(UInt64($0)) && !original.contains(UInt64($0) + 1_000) })
        #expect((10...300).allSatisfy { copy.contains(UInt64($0) + 1_000) && !copy.contains(UInt64($0)) })
    }
}
