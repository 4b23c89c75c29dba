@testable import SegdCore
import Testing

@Suite("Chunked queue")
struct ChunkedQueueTests {
    @Test("appends and removals agree with an array, across chunk boundaries, emptying and refilling")
    func agreesWithArray() {
        var queue = ChunkedQueue<Int>()
        var model: [Int] = []
        var random = SeededRandom(seed: 3)
        var next = 0
        for step in 0..<60_000 {
            // Phases that mostly grow, then mostly shrink to empty, so chunks come and go.
            let growing = (step / 15_000) % 2 == 0
            if model.isEmpty || random.next() % 10 < (growing ? 7 : 2) {
                queue.append(next)
                model.append(next)
                next += 1
            } else {
                let removed = queue.removeFirst()
                #expect(removed == model.removeFirst())
            }
            #expect(queue.count == model.count)
            #expect(queue.first == model.first)
            if step % 4_999 == 0 { #expect(Array(queue) == model, "contents at step \(step)") }
        }
        while !model.isEmpty { _ = queue.removeFirst(); model.removeFirst() }
        #expect(queue.isEmpty && queue.first == nil && Array(queue).isEmpty)
    }
}
