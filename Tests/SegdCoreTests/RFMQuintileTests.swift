@testable import SegdCore
import Testing

@Suite("RFM quintiles")
struct RFMQuintileTests {
    @Test("cut points found by selection equal the nearest-rank percentiles of the sorted values")
    func selectionMatchesSorting() {
        var random = SeededRandom(seed: 11)
        for size in [1, 2, 3, 4, 5, 6, 7, 10, 99, 1_000, 4_321] {
            for distinctValues in [1, 3, 50, 1_000_000] {
                var values = (0..<size).map { _ in Double(random.next() % UInt64(distinctValues)) / 4 }
                let sorted = values.sorted()
                let expected = (1...4).map { sorted[max(($0 * size + 4) / 5, 1) - 1] }
                #expect(RFMQuintiles.cuts(&values) == expected, "\(size) values, \(distinctValues) distinct at most")
                #expect(values.sorted() == sorted, "selection only reorders")
            }
        }
        var ascending = (0..<10_000).map(Double.init)
        #expect(RFMQuintiles.cuts(&ascending) == [1_999, 3_999, 5_999, 7_999])
    }
}
