import DequeModule

/// A first-in, first-out queue kept in fixed-size chunks, so it never moves what it holds. A
/// `Deque` that doubles copies every element at once, which for the dedup window's millions of
/// ids stalled ingest for tens of milliseconds; here an append past the last chunk starts one
/// more, and taking the last element of the first chunk lets it go. Owned by one writer.
struct ChunkedQueue<Element>: Sequence {
    /// Elements per chunk: 4,096 ids' arrivals are 96 KiB, small enough to come from the heap
    /// (glibc maps allocations of 128 KiB and more one by one).
    static var chunkCapacity: Int { 4_096 }

    private var chunks: Deque<[Element]> = []
    /// The chunk emptied last, with its capacity, for the next chunk to start in: a queue that
    /// keeps its size (the dedup window once full) lets a chunk go as it starts another, and
    /// without it each would be a free and a malloc.
    private var spare: [Element] = []
    /// Where the first element sits in the first chunk.
    private var head = 0
    private(set) var count = 0

    init() {}

    var isEmpty: Bool { count == 0 }

    var first: Element? { isEmpty ? nil : chunks[0][head] }

    /// The element `offset` places after the first; `offset` must be less than ``count``.
    subscript(offset offset: Int) -> Element {
        // Every chunk but the last is full, the first from `head` on.
        let position = head + offset
        return chunks[position / Self.chunkCapacity][position % Self.chunkCapacity]
    }

    mutating func append(_ element: Element) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkCapacity {
            var chunk: [Element] = []
            swap(&chunk, &spare)
            chunk.reserveCapacity(Self.chunkCapacity)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    /// Removes and returns the first element; the queue must not be empty.
    @discardableResult
    mutating func removeFirst() -> Element {
        precondition(!isEmpty, "removeFirst on an empty queue")
        let element = chunks[0][head]
        head += 1
        count -= 1
        if head == chunks[0].count {
            spare = chunks.removeFirst()
            spare.removeAll(keepingCapacity: true)
            head = 0
        }
        return element
    }

    func makeIterator() -> Iterator {
        Iterator(chunks: chunks, chunk: 0, index: head)
    }

    struct Iterator: IteratorProtocol {
        fileprivate let chunks: Deque<[Element]>
        fileprivate var chunk: Int
        fileprivate var index: Int

        mutating func next() -> Element? {
            guard chunk < chunks.count else { return nil }
            let element = chunks[chunk][index]
            index += 1
            if index == chunks[chunk].count {
                chunk += 1
                index = 0
            }
            return element
        }
    }
}

extension ChunkedQueue: Sendable where Element: Sendable {}
