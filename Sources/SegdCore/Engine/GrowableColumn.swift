#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain values, one per customer or per slot of a per-customer structure, in one block of memory
/// that grows by `realloc`. Owned by the engine's single writer.
///
/// glibc serves a block of 1 MiB or more with a mapping of its own (segd fixes that threshold at
/// start-up) and grows it with `mremap`, which moves page-table entries, not bytes. So a column of
/// millions of values doubles without copying them, where an `Array` copies everything at once:
/// the bucket lists, timers and category counters doubling at 2^16 and 2^17 customers stalled
/// ingest for 3–25 ms in the 100k events/s latency run. A smaller block is copied, as an array's
/// would be, which at its size costs little. Reading costs what an array's read does; unlike
/// ``ChunkedColumn``, a copy of the column (an engine handed to the snapshot thread) is copied
/// whole by the first write after it, as an array is.
struct GrowableColumn<Element: BitwiseCopyable>: RandomAccessCollection, MutableCollection {
    /// Written only through the one column holding it uniquely (``makeUnique()`` copies it first
    /// when shared), on that column's thread; so it is safe to send along with the column.
    private final class Storage: @unchecked Sendable {
        private(set) var start: UnsafeMutablePointer<Element>
        private(set) var capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = Swift.max(capacity, 16)
            start = Self.reallocate(nil, capacity: self.capacity)
        }

        deinit { free(start) }

        func copy() -> Storage {
            let copy = Storage(capacity: count)
            copy.start.initialize(from: start, count: count)
            copy.count = count
            return copy
        }

        func reserve(_ needed: Int) {
            guard needed > capacity else { return }
            capacity = Swift.max(capacity * 2, needed)
            start = Self.reallocate(start, capacity: capacity)
        }

        private static func reallocate(_ old: UnsafeMutablePointer<Element>?, capacity: Int) -> UnsafeMutablePointer<Element> {
            guard let memory = realloc(old, capacity * MemoryLayout<Element>.stride) else {
                fatalError("out of memory for a column of \(capacity) values")
            }
            return memory.bindMemory(to: Element.self, capacity: capacity)
        }
    }

    private var storage: Storage

    init() {
        storage = Storage(capacity: 16)
    }

    init(repeating element: Element, count: Int) {
        storage = Storage(capacity: count)
        append(repeating: element, count: count)
    }

    init(_ elements: some Sequence<Element>) {
        storage = Storage(capacity: elements.underestimatedCount)
        let copied: Void? = elements.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if copied == nil {
            for element in elements { append(element) }
        }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { storage.count }

    subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < storage.count, "index \(position) out of 0..<\(storage.count)")
            return storage.start[position]
        }
        _modify {
            precondition(position >= 0 && position < storage.count, "index \(position) out of 0..<\(storage.count)")
            makeUnique()
            yield &storage.start[position]
        }
    }

    mutating func append(_ element: Element) {
        makeUnique()
        storage.reserve(storage.count + 1)
        (storage.start + storage.count).initialize(to: element)
        storage.count += 1
    }

    mutating func append(repeating element: Element, count: Int) {
        makeUnique()
        storage.reserve(storage.count + count)
        (storage.start + storage.count).initialize(repeating: element, count: count)
        storage.count += count
    }

    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress else { return }
        makeUnique()
        storage.reserve(storage.count + elements.count)
        (storage.start + storage.count).initialize(from: source, count: elements.count)
        storage.count += elements.count
    }

    /// Removes the last value and returns it.
    mutating func removeLast() -> Element {
        precondition(storage.count > 0, "removeLast from an empty column")
        makeUnique()
        storage.count -= 1
        return storage.start[storage.count]
    }

    /// Lends the values as one buffer, valid only inside `body`.
    func withUnsafeBufferPointer<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Element>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeBufferPointer(start: storage.start, count: storage.count))
    }

    /// Lends the values as one mutable buffer, valid only inside `body`: for loops that write many
    /// of them, which through the subscript would check for a shared copy at every write.
    mutating func withUnsafeMutableBufferPointer<Result>(_ body: (UnsafeMutableBufferPointer<Element>) -> Result) -> Result {
        makeUnique()
        return body(UnsafeMutableBufferPointer(start: storage.start, count: storage.count))
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }
}

extension GrowableColumn: Sendable where Element: Sendable {}
