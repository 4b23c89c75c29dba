@testable import SegdCore
import Testing

@Suite("RFM quintiles")
struct RFMQuintileTests {
    @Test("cut points found by selection equal the nearest-rank percentiles of the sorted values")
    func selectionMatchesSorting() {
        var random = SeededRandom(seed: 11)
        // One cuts array throughout, as the engine keeps its own: overwritten in place.
        var cuts: [Double] = []
        for size in [1, 2, 3, 4, 5, 6, 7, 10, 99, 1_000, 4_321] {
            for distinctValues in [1, 3, 50, 1_000_000] {
                var values = (0..<size).map { _ in Double(random.next() % UInt64(distinctValues)) / 4 }
                let sorted = values.sorted()
                let expected = (1...4).map { sorted[max(($0 * size + 4) / 5, 1) - 1] }
                RFMQuintiles.cuts(&values, into: &cuts)
                #expect(cuts == expected, "\(size) values, \(distinctValues) distinct at most")
                #expect(values.sorted() == sorted, "selection only reorders")
            }
        }
        var ascending = (0..<10_000).map(Double.init)
        RFMQuintiles.cuts(&ascending, into: &cuts)
        #expect(cuts == [1_999, 3_999, 5_999, 7_999])
        var none: [Double] = []
        RFMQuintiles.cuts(&none, into: &cuts)
        #expect(cuts.isEmpty, "no buyer, no cut points")
    }
}
