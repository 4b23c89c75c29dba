/// The growable bytes a ``JSONWriter`` appends to: one heap block, grown by doubling and written
/// through its pointer, so appending a piece costs one capacity check and a copy, where an
/// `Array` append checks uniqueness and capacity per call and goes through its generic sequence
/// machinery per piece. Copy on write like an `Array`: a copy shares the block until either
/// appends.
struct ByteAppender: Sendable {
    /// Mutated only while uniquely referenced (see ``prepare(_:)``), so a shared block is only read.
    private final class Block: @unchecked Sendable {
        let start: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            start = .allocate(capacity: capacity)
        }

        deinit { start.deallocate() }
    }

    private var block: Block
    private(set) var count = 0

    init(capacity: Int) {
        block = Block(capacity: max(capacity, 16))
    }

    /// The bytes appended so far, valid during `body`.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: block.start, count: count))
    }

    var array: [UInt8] { withBytes { Array($0) } }

    mutating func removeAll() {
        count = 0
    }

    mutating func append(_ byte: UInt8) {
        prepare(1)[0] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        prepare(bytes.count).initialize(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    /// Lets `body` write exactly `length` bytes in place at the end.
    mutating func append(length: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        body(UnsafeMutableBufferPointer(start: prepare(length), count: length))
        count += length
    }

    /// Where `extra` bytes can be written at the end: the block made unique and large enough.
    @inline(__always)
    private mutating func prepare(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(count + extra > block.capacity || !isKnownUniquelyReferenced(&block)) { replaceBlock(toHold: count + extra) }
        return block.start + count
    }

    /// Moves the bytes into a block of its own that holds `needed` bytes.
    @inline(never)
    private mutating func replaceBlock(toHold needed: Int) {
        var capacity = block.capacity
        while capacity < needed { capacity *= 2 }
        let replacement = Block(capacity: capacity)
        replacement.start.initialize(from: block.start, count: count)
        block = replacement
    }
}

/// Lets a number print itself into the buffer: `Double.write(to:)` passes its text to
/// `_writeASCII(_:)` as bytes, where `description` would allocate a String for a long one.
extension ByteAppender: TextOutputStream {
    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(buffer))
    }
}
