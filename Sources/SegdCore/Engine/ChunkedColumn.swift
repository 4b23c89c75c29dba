/// One value per customer (or per slot of a per-customer structure), kept in chunks of a fixed
/// size instead of one array. Owned by the engine's single writer.
///
/// An array that doubles copies everything it holds at once: at 2^16 and 2^17 customers the
/// profile column's growth stalled ingest for 10–40 ms in the 100k events/s latency run. A new
/// chunk here is allocated at its full size and filled in place, so an append never moves what is
/// stored. And a copy of the column (an engine handed to the snapshot thread) shares the chunks:
/// the first write after it copies the chunk written, not the whole column.
struct ChunkedColumn<Element>: RandomAccessCollection, MutableCollection {
    /// 16,384 elements a chunk: 1.9 MiB of 120-byte profiles, 128 KiB of 8-byte words.
    private static var chunkShift: Int { 14 }
    private static var chunkSize: Int { 1 << chunkShift }
    private static var offsetMask: Int { chunkSize - 1 }

    /// Every chunk but the last holds ``chunkSize`` elements; each was reserved at that size.
    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    init(repeating element: Element, count: Int) {
        self.init()
        append(repeating: element, count: count)
    }

    init(_ elements: some Sequence<Element>) {
        self.init()
        for element in elements { append(element) }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// No check of its own: the chunks' bounds checks refuse any position outside 0..<count.
    subscript(position: Int) -> Element {
        get { chunks[position >> Self.chunkShift][position & Self.offsetMask] }
        _modify { yield &chunks[position >> Self.chunkShift][position & Self.offsetMask] }
    }

    mutating func append(_ element: Element) {
        if count & Self.offsetMask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    mutating func append(repeating element: Element, count: Int) {
        for _ in 0..<count { append(element) }
    }
}

extension ChunkedColumn: Sendable where Element: Sendable {}
