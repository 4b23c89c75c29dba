/// A binary min-heap kept in a ``GrowableColumn``, so that it grows in place: the timer queue's
/// heap, one entry per customer with a pending timer and more, was a swift-collections `Heap`
/// whose array copied every entry at each doubling, a stall of several milliseconds at a few
/// hundred thousand customers. Equal elements come out in no particular order, so elements that
/// must come out in a fixed order (as timers must, for replay) need a total order.
struct ColumnHeap<Element: Comparable & BitwiseCopyable> {
    private var elements = GrowableColumn<Element>()

    init() {}

    /// A heap of `elements`, arranged bottom-up in linear time.
    init(_ elements: some Sequence<Element>) {
        self.elements = GrowableColumn(elements)
        self.elements.withUnsafeMutableBufferPointer { heap in
            var parent = heap.count / 2 - 1
            while parent >= 0 {
                Self.siftDown(heap, from: parent)
                parent -= 1
            }
        }
    }

    var count: Int { elements.count }

    /// The smallest element, if any.
    var min: Element? { elements.isEmpty ? nil : elements[0] }

    mutating func insert(_ element: Element) {
        elements.append(element)
        elements.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard element < heap[parent] else { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = element
        }
    }

    /// Removes the smallest element; the heap must not be empty.
    mutating func removeMin() {
        let last = elements.removeLast()
        guard !elements.isEmpty else { return }
        elements.withUnsafeMutableBufferPointer { heap in
            heap[0] = last
            Self.siftDown(heap, from: 0)
        }
    }

    /// Moves the element at `index` down until neither child is smaller.
    private static func siftDown(_ heap: UnsafeMutableBufferPointer<Element>, from index: Int) {
        let element = heap[index]
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let child = right < heap.count && heap[right] < heap[left] ? right : left
            guard heap[child] < element else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = element
    }
}

extension ColumnHeap: Sendable where Element: Sendable {}
