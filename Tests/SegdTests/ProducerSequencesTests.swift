import Testing
@testable import Segd

@Suite("Producer sequence tracking")
struct ProducerSequencesTests {
    /// Stamps in arrival order and what they must count.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let stamps: [(id: String, seq: Int64)]
        let gaps: Int
        let resets: Int
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "a jump of k counts k - 1 gaps, per producer",
             stamps: [("web-1", 1), ("web-2", 100), ("web-1", 2), ("web-1", 5), ("web-2", 101), ("web-2", 110)],
             gaps: 2 + 8, resets: 0),
        Case(name: "the first stamp of a producer counts nothing",
             stamps: [("late-joiner", 9_007_199_254_740_991), ("from-zero", 0)], gaps: 0, resets: 0),
        Case(name: "a number at or below the last is a reset, and tracking goes on from it",
             stamps: [("p", 10), ("p", 10), ("p", 0), ("p", 1), ("p", 3)], gaps: 1, resets: 2),
        Case(name: "ids are compared by their bytes",
             stamps: [("a", 1), ("A", 5), ("a ", 7), ("a", 2)], gaps: 0, resets: 0),
    ]

    @Test(arguments: cases)
    func counts(_ example: Case) {
        var producers = ProducerSequences()
        for (id, seq) in example.stamps { producers.record(id, seq) }
        #expect(producers.gaps == example.gaps)
        #expect(producers.resets == example.resets)
        #expect(producers.count == Set(example.stamps.map(\.id)).count)
        #expect(producers.evictions == 0)
    }

    @Test func aFullTableEvictsAProducerNotSeenSinceTheHandLastPassed() {
        var producers = ProducerSequences(capacity: 3)
        producers.record("a", 1)
        producers.record("b", 1)
        producers.record("c", 1)
        // Full, every producer seen: the hand clears a, b, c and comes back to a.
        producers.record("d", 1)
        #expect(producers.evictions == 1)
        #expect(producers.count == 3)
        // c sends again; b has not since the sweep, and is the next the hand meets.
        producers.record("c", 2)
        producers.record("e", 1)
        #expect(producers.evictions == 2)
        // c and d are still tracked: their next stamps count their gaps.
        producers.record("c", 4)
        producers.record("d", 3)
        #expect(producers.gaps == 2)
        // a and b were forgotten: they start afresh, with no gap, evicting others.
        producers.record("a", 50)
        producers.record("b", 70)
        #expect(producers.gaps == 2)
        #expect(producers.evictions == 4)
        #expect(producers.count == 3)
    }

    @Test func manyProducersThroughASmallTableStayConsistent() {
        // Evictions shift entries in the hash table; every producer still tracked must be found.
        var producers = ProducerSequences(capacity: 64)
        for round in Int64(0)..<20 {
            for id in 0..<200 {
                producers.record("producer-\(id)", round)
            }
            for id in 0..<50 {
                producers.record("steady-\(id)", round)
            }
        }
        #expect(producers.count == 64)
        #expect(producers.resets == 0)
        // Only producers that were still tracked when they sent again can count gaps, and none skipped.
        #expect(producers.gaps == 0)
        var fresh = ProducerSequences(capacity: 64)
        for id in 0..<64 { fresh.record("p\(id)", 1) }
        for id in 0..<64 { fresh.record("p\(id)", 3) }
        #expect(fresh.gaps == 64)
        #expect(fresh.evictions == 0)
    }
}

extension ProducerSequences {
    fileprivate mutating func record(_ id: String, _ seq: Int64) {
        var id = id
        id.withUTF8 { record(id: UnsafeRawBufferPointer($0), seq: seq) }
    }
}
