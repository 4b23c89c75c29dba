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

    @Test("inserts and removals agree with a Set, through growth and crowded probe runs")
    func agreesWithSet() {
        var table = IDHashSet()
        var model = Set<UInt64>()
        var random = SeededRandom(seed: 5)
        // Few distinct low bits, so keys share home slots and probe runs wrap and interleave.
        func key(_ number: UInt64) -> IDHashSet.Key {
            IDHashSet.Key(first: (number % 251) | (number << 32), second: number + 1)
        }
        for step in 0..<20_000 {
            let number = random.next() % 3_000
            if random.next() % 3 < 2 {
                #expect(table.insert(key(number)) == model.insert(number).inserted)
            } else {
                table.remove(key(number))
                model.remove(number)
            }
            guard step % 499 == 0 else { continue }
            #expect(table.count == model.count)
            for probe in 0..<UInt64(3_000) where table.contains(key(probe)) != model.contains(probe) {
                Issue.record("key \(probe): in the table \(table.contains(key(probe))), in the model \(model.contains(probe))")
                return
            }
        }
    }

    @Test("a set growing from 16 to 2^18 slots while its oldest keys leave, as the dedup window does, loses and invents nothing")
    func growsWhileOldKeysLeave() {
        var table = IDHashSet()
        var random = SeededRandom(seed: 11)
        var keys: [IDHashSet.Key] = []
        var oldest = 0
        for step in 0..<100_000 {
            let key = IDHashSet.Key(first: random.next() | 1, second: random.next())
            let inserted = table.insert(key)
            #expect(inserted)
            keys.append(key)
            // Forget the oldest keys more slowly than new ones come, so the set keeps growing.
            if step % 3 == 2 {
                table.remove(keys[oldest])
                oldest += 1
            }
            guard step % 1_013 == 0 else { continue }
            #expect(table.count == keys.count - oldest)
            #expect(keys[oldest...].allSatisfy { table.contains($0) }, "a remembered key went missing at step \(step)")
            #expect(!keys[..<oldest].contains { table.contains($0) }, "a forgotten key came back at step \(step)")
            let insertedAgain = table.insert(keys[keys.count - 1])
            #expect(!insertedAgain, "a key inserted twice")
        }
    }

    @Test("a copy of the set keeps its keys while the original changes")
    func copiesAreIndependent() {
        var original = IDHashSet()
        for number in 1...100 { original.insert(IDHashSet.Key(first: UInt64(number), second: 0)) }
        let copy = original
        for number in 1...50 { original.remove(IDHashSet.Key(first: UInt64(number), second: 0)) }
        for number in 101...200 { original.insert(IDHashSet.Key(first: UInt64(number), second: 0)) }
        #expect(copy.count == 100)
        #expect((1...100).allSatisfy { copy.contains(IDHashSet.Key(first: UInt64($0), second: 0)) })
        #expect(!copy.contains(IDHashSet.Key(first: 150, second: 0)))
        #expect(original.count == 150)
    }

    @Test("copies made while the doubled table is being prepared grow into tables of their own")
    func copiesMadeDuringPreparationGrowApart() {
        func key(_ number: Int, _ owner: UInt64) -> IDHashSet.Key { IDHashSet.Key(first: UInt64(number), second: owner) }
        var original = IDHashSet()
        // The ninth key makes the 16-slot table more than half full: preparing the next one starts.
        for number in 1...9 { original.insert(key(number, 0)) }
        var copy = original
        for number in 10...300 {
            original.insert(key(number, 1))
            copy.insert(key(number, 2))
        }
        #expect(original.count == 300 && copy.count == 300)
        #expect((1...9).allSatisfy { original.contains(key($0, 0)) && copy.contains(key($0, 0)) })
        #expect((10...300).allSatisfy { original.contains(key($0, 1)) && !original.contains(key($0, 2)) })
        #expect((10...300).allSatisfy { copy.contains(key($0, 2)) && !copy.contains(key($0, 1)) })
    }
}
