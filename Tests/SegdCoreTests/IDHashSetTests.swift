@testable import SegdCore
import Testing

@Suite("Id hash set")
struct IDHashSetTests {
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
}
