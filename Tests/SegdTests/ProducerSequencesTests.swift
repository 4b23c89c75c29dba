import Testing
@testable import Segd

@Suite("Producer sequence tracking")
struct ProducerSequencesTests {
    @Test func aJumpOfKCountsKMinusOneGapsPerProducer() {
        var producers = ProducerSequences()
        producers.record("web-1", 1)
        producers.record("web-2", 100)
        producers.record("web-1", 2)
        producers.record("web-1", 5)  // 3, 4 lost
        producers.record("web-2", 101)
        producers.record("web-2", 110)  // 102…109 lost
        #expect(producers.gaps == 2 + 8)
        #expect(producers.resets == 0)
        #expect(producers.count == 2)
    }

    @Test func theFirstStampOfAProducerCountsNothing() {
        var producers = ProducerSequences()
        producers.record("late-joiner", 9_007_199_254_740_991)
        producers.record("from-zero", 0)
        #expect(producers.gaps == 0)
        #expect(producers.resets == 0)
    }

    @Test func aNumberAtOrBelowTheLastIsAResetAndTrackingGoesOnFromIt() {
        var producers = ProducerSequences()
        producers.record("p", 10)
        producers.record("p", 10)  // repeated
        producers.record("p", 0)  // restarted
        producers.record("p", 1)
        producers.record("p", 3)  // 2 lost
        #expect(producers.resets == 2)
        #expect(producers.gaps == 1)
    }

    @Test func idsAreComparedByTheirBytes() {
        var producers = ProducerSequences()
        producers.record("a", 1)
        producers.record("A", 5)
        producers.record("a ", 7)
        producers.record("a", 2)
        #expect(producers.count == 3)
        #expect(producers.gaps == 0)
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
