@testable import SegdCore
import Testing

@Suite("Column heap")
struct ColumnHeapTests {
    @Test("comes out in sorted order through interleaved inserts and removals, from empty and from a heapified start")
    func sortedOrder() {
        var random = SystemRandomNumberGenerator()
        for start in [0, 1, 2, 1_000, 20_000] {
            let initial = (0..<start).map { _ in Int64.random(in: -1_000...1_000, using: &random) }
            var heap = ColumnHeap(initial)
            var reference = initial.sorted()
            #expect(heap.count == start)
            for step in 0..<20_000 {
                if step % 3 == 2, let smallest = heap.min {
                    #expect(smallest == reference.removeFirst())
                    heap.removeMin()
                } else {
                    let value = Int64.random(in: -1_000...1_000, using: &random)
                    heap.insert(value)
                    reference.insert(value, at: reference.firstIndex { $0 > value } ?? reference.endIndex)
                }
            }
            var drained: [Int64] = []
            while let smallest = heap.min {
                drained.append(smallest)
                heap.removeMin()
            }
            #expect(drained == reference)
            #expect(heap.count == 0)
        }
    }
}
