@testable import SegdCore
import Testing

@Suite("Growable column")
struct GrowableColumnTests {
    @Test("values survive every growth, past the size glibc maps on its own")
    func valuesSurviveGrowth() {
        var column = GrowableColumn<Int64>()
        // 300,000 eight-byte values: 2.4 MB, so the last doublings go through mremap.
        for value in 0..<300_000 { column.append(Int64(value) * 3) }
        column.append(repeating: -1, count: 5)
        #expect(column.count == 300_005)
        #expect(column.prefix(300_000).elementsEqual((0..<300_000).map { Int64($0) * 3 }))
        #expect(column.suffix(5).allSatisfy { $0 == -1 })
        column[299_999] += 1
        #expect(column[299_999] == 899_998)
    }

    @Test("a copy keeps its values while the original is written and grows")
    func copiesAreIndependent() {
        var original = GrowableColumn(repeating: UInt16(7), count: 1_000)
        let copy = original
        original[0] = 1
        original.append(repeating: 2, count: 100_000)
        #expect(copy.count == 1_000 && copy.allSatisfy { $0 == 7 })
        #expect(original.count == 101_000 && original[0] == 1 && original[1] == 7 && original[100_999] == 2)
    }

    @Test("bulk appends, removals from the end and the lent buffer agree with an array")
    func bulkAppendAndRemoveLast() {
        var column = GrowableColumn<UInt8>()
        var expected: [UInt8] = []
        // Chunks of up to 4 KB, 600 of them: past 1 MiB, so the later growths are mremaps.
        for round in 0..<600 {
            let chunk = (0..<(round * 7 % 4096)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ round) }
            chunk.withUnsafeBufferPointer { column.append(contentsOf: $0) }
            expected += chunk
            if round % 3 == 0, !expected.isEmpty {
                #expect(column.removeLast() == expected.removeLast())
            }
        }
        #expect(column.count == expected.count)
        column.withUnsafeBufferPointer { #expect($0.elementsEqual(expected)) }
        #expect(GrowableColumn(expected).elementsEqual(expected))
    }
}
