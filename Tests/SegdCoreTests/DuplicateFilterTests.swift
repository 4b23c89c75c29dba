@testable import SegdCore
import Testing

@Suite("Duplicate filter")
struct DuplicateFilterTests {
    private func insert(_ filter: inout DuplicateFilter, _ id: String, at time: Int64 = 0) -> Bool {
        Array(id.utf8).withUnsafeBytes { filter.insert($0, at: time) }
    }

    @Test("ids are found and forgotten the same across the arrival ordinals' wrap from UInt32.max to 1")
    func ordinalsWrap() {
        var filter = DuplicateFilter(horizonMilliseconds: 86_400_000, capacity: 100, firstOrdinal: UInt32.max - 150)
        for number in 0..<400 {
            #expect(insert(&filter, "e-\(number)"), "e-\(number) taken for a duplicate")
            // The newest 100 are remembered, whichever side of the wrap their ordinals are on.
            guard number % 37 == 0 else { continue }
            for earlier in max(0, number - 99)...number {
                var copy = filter
                #expect(!insert(&copy, "e-\(earlier)"), "e-\(earlier) not found at \(number)")
            }
        }
        #expect(filter.count == 100)
        #expect(filter.forgottenEarly == 300)
        // Forgotten early, so accepted again: each such retry is a new arrival.
        #expect(insert(&filter, "e-0"))
        #expect(!insert(&filter, "e-399"))
    }

    @Test("ids leave in arrival order once the horizon passes them, across the wrap")
    func expiryAcrossTheWrap() {
        var filter = DuplicateFilter(horizonMilliseconds: 1_000, capacity: 1_000, firstOrdinal: UInt32.max - 2)
        for number in 0..<10 { #expect(insert(&filter, "e-\(number)", at: Int64(number) * 100)) }
        filter.expire(before: 1_550) // forgets times before 550: e-0 ... e-5
        #expect(filter.count == 4)
        #expect(insert(&filter, "e-5", at: 1_550))
        #expect(!insert(&filter, "e-6", at: 1_550))
        #expect(!insert(&filter, "e-9", at: 1_550))
    }

    @Test("reading a group's slots ahead changes no answer, while the set grows and once it forgets at capacity")
    func readingAheadChangesNothing() {
        var plain = DuplicateFilter(horizonMilliseconds: 86_400_000, capacity: 3_000)
        var readingAhead = plain
        // Every fifth id repeats one from 7 arrivals back (inside the capacity) or 4,000 back
        // (forgotten early), so groups hold duplicates of both kinds.
        let ids = (0..<12_000).map { number in
            number % 5 != 4 ? "e-\(number)" : number % 10 == 4 ? "e-\(number - 7)" : "e-\(max(0, number - 4_000))"
        }
        for groupStart in stride(from: 0, to: ids.count, by: 16) {
            let group = ids[groupStart..<min(groupStart + 16, ids.count)]
            for id in group { Array(id.utf8).withUnsafeBytes { readingAhead.announce($0) } }
            readingAhead.readAhead()
            for (offset, id) in group.enumerated() {
                let expected = insert(&plain, id, at: Int64(groupStart + offset))
                #expect(insert(&readingAhead, id, at: Int64(groupStart + offset)) == expected, "\(id) answered differently")
            }
        }
        #expect(readingAhead.count == plain.count)
        #expect(readingAhead.forgottenEarly == plain.forgottenEarly)
        #expect(plain.forgottenEarly > 0)
    }
}
