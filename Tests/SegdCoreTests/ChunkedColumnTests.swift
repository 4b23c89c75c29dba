@testable import SegdCore
import Testing

@Suite("Chunked column")
struct ChunkedColumnTests {
    @Test("appends across chunk boundaries keep every element in order and in place")
    func appendsAcrossChunks() {
        var column = ChunkedColumn<Int>()
        let total = 3 * 16_384 + 5
        for value in 0..<total { column.append(value * 7) }
        #expect(column.count == total)
        #expect(column.elementsEqual((0..<total).map { $0 * 7 }))
        column[16_384] += 1
        column[total - 1] = -1
        #expect(column[16_384] == 16_384 * 7 + 1 && column[16_383] == 16_383 * 7 && column[total - 1] == -1)
    }

    @Test("a copy keeps its values while the original is written and grows")
    func copiesAreIndependent() {
        var original = ChunkedColumn(repeating: UInt64(1), count: 20_000)
        let copy = original
        original[3] = 9
        original[19_999] = 9
        original.append(repeating: 2, count: 20_000)
        #expect(copy.count == 20_000 && copy.allSatisfy { $0 == 1 })
        #expect(original.count == 40_000 && original[3] == 9 && original[19_999] == 9 && original[39_999] == 2)
    }
}
