/// Decodes what `BinaryWriter` encodes. Every read checks the bounds first and throws a `DurabilityError` that
/// names the file and the absolute offset, so a damaged snapshot payload is reported, never trapped on; a
/// declared count is checked against the bytes that are left before anything is allocated for it.
public struct BinaryReader: Sendable {
    public let bytes: [UInt8]
    /// The next byte to read, relative to `bytes`.
    public private(set) var position: Int
    /// The file the bytes came from, for error messages.
    public let path: String
    /// Where `bytes` starts in that file, so errors give file offsets (a snapshot's payload follows its header).
    public let baseOffset: Int

    public init(_ bytes: [UInt8], path: String = "(in memory)", baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.path = path
        self.baseOffset = baseOffset
    }

    public var remaining: Int { bytes.count - position }
    public var isAtEnd: Bool { position == bytes.count }

    public mutating func read<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type) throws(DurabilityError) -> T {
        let start = try advance(by: MemoryLayout<T>.size)
        return bytes.withUnsafeBytes { $0.loadLittleEndian(T.self, at: start) }
    }

    public mutating func readDouble() throws(DurabilityError) -> Double {
        Double(bitPattern: try read(UInt64.self))
    }

    public mutating func readBool() throws(DurabilityError) -> Bool {
        let at = position
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let other: throw error(.invalidValue("Bool byte \(other), expected 0 or 1"), at: at)
        }
    }

    /// `count` bytes with no length in front.
    public mutating func readRaw(count: Int) throws(DurabilityError) -> [UInt8] {
        let start = try advance(by: count)
        return Array(bytes[start..<start + count])
    }

    /// Moves past a `UInt32` byte count and that many bytes without copying them; returns where
    /// they start (relative to `bytes`), for a caller that reads them in place.
    public mutating func skipLengthPrefixed() throws(DurabilityError) -> Range<Int> {
        let count = Int(try read(UInt32.self))
        let start = try advance(by: count)
        return start..<start + count
    }

    /// A `UInt32` byte count, then the bytes.
    public mutating func readLengthPrefixed() throws(DurabilityError) -> [UInt8] {
        try readRaw(count: Int(try read(UInt32.self)))
    }

    /// Length-prefixed UTF-8; invalid UTF-8 is an error rather than a repaired string.
    public mutating func readString() throws(DurabilityError) -> String {
        let at = position
        let utf8 = try readLengthPrefixed()
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw error(.invalidValue("string is not valid UTF-8"), at: at)
        }
        return string
    }

    /// A `UInt32` element count, then the elements in one copy.
    public mutating func readArray<T: FixedWidthInteger & BitwiseCopyable>(of _: T.Type) throws(DurabilityError) -> [T] {
        try readBlock(of: T.self)
    }

    /// A `UInt32` element count, then the bit patterns in one copy.
    public mutating func readArray(of _: Double.Type) throws(DurabilityError) -> [Double] {
        try readBlock(of: Double.self)
    }

    /// Throws unless every byte was consumed: trailing bytes mean writer and reader disagree on the format.
    public func expectEnd() throws(DurabilityError) {
        guard isAtEnd else {
            throw error(.sizeMismatch(expected: UInt64(position), actual: UInt64(bytes.count)), at: position)
        }
    }

    /// Only for element types whose in-memory form is their little-endian encoding (see LittleEndian.swift).
    private mutating func readBlock<T: BitwiseCopyable>(of _: T.Type) throws(DurabilityError) -> [T] {
        // At most 2^32 elements of at most 16 bytes: the product cannot overflow, and `advance` checks it
        // against what is left before anything is allocated.
        let count = Int(try read(UInt32.self))
        let byteCount = count * MemoryLayout<T>.stride
        let start = try advance(by: byteCount)
        return [T](unsafeUninitializedCapacity: count) { elements, initialized in
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(elements).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[start..<start + byteCount])
                )
            }
            initialized = count
        }
    }

    /// Moves past `count` bytes and returns where they start, or throws if fewer are left.
    private mutating func advance(by count: Int) throws(DurabilityError) -> Int {
        guard count >= 0, count <= remaining else {
            throw error(.truncated(needed: count, available: remaining), at: position)
        }
        defer { position += count }
        return position
    }

    private func error(_ problem: DurabilityError.Problem, at position: Int) -> DurabilityError {
        DurabilityError(problem, path: path, offset: baseOffset + position)
    }
}
