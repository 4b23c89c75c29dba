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

    @Test("a queue that keeps its size, starting each chunk in the one it let go, keeps every element in order")
    func steadySizeReusesChunks() {
        var queue = ChunkedQueue<Int>()
        let size = 2 * ChunkedQueue<Int>.chunkCapacity + 7
        for value in 0..<size { queue.append(value) }
        for value in size..<(size + 5 * ChunkedQueue<Int>.chunkCapacity) {
            queue.append(value)
            #expect(queue.removeFirst() == value - size)
            #expect(queue.count == size)
        }
        let first = 5 * ChunkedQueue<Int>.chunkCapacity
        #expect(Array(queue) == Array(first..<(first + size)))
        #expect(queue[offset: size - 1] == first + size - 1)
    }
}
