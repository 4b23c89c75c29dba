/// Encodes values little-endian into a growing byte array: how the engine serializes itself into a snapshot
/// payload and how the journal frames its records. Variable-length values carry a `UInt32` length (or element
/// count) in front; arrays of fixed-width values are copied in one block, because a snapshot holds columns of
/// about a million entries and per-element encoding would dominate the time to write it.
///
/// The per-value writes are `@inlinable`: the receiver thread encodes every inbound message through
/// them from another module, and unspecialized they resolved `FixedWidthInteger` witnesses at run time.
public struct BinaryWriter: Sendable {
    /// Everything written so far.
    @inlinable public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    @inlinable public var count: Int { storage.count }

    /// How many bytes the storage holds without growing.
    public var capacity: Int { storage.capacity }

    /// Forgets what was written, keeping the storage for the next encoding.
    public mutating func reset() {
        storage.removeAll(keepingCapacity: true)
    }

    /// Any fixed-width integer (`UInt8`…`UInt64`, `Int32`, `Int64`) in its own width.
    @inlinable
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        storage.appendLittleEndian(value)
    }

    /// The IEEE 754 bit pattern, so NaN payloads and negative zero survive the round trip.
    public mutating func write(_ value: Double) {
        storage.appendLittleEndian(value.bitPattern)
    }

    /// One byte, 0 or 1.
    public mutating func write(_ value: Bool) {
        storage.append(value ? 1 : 0)
    }

    /// Bytes with no length in front, for fields whose size the format fixes (magic numbers).
    public mutating func writeRaw(_ raw: some Collection<UInt8>) {
        storage.append(contentsOf: raw)
    }

    /// A `UInt32` byte count, then the bytes.
    @inlinable
    public mutating func write(lengthPrefixed raw: UnsafeRawBufferPointer) {
        writeLength(raw.count)
        storage.append(contentsOf: raw)
    }

    /// A `UInt32` byte count, then the bytes.
    public mutating func write(lengthPrefixed raw: [UInt8]) {
        raw.withUnsafeBytes { write(lengthPrefixed: $0) }
    }

    /// The UTF-8 bytes, length-prefixed.
    public mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { write(lengthPrefixed: UnsafeRawBufferPointer($0)) }
    }

    /// A `UInt32` element count, then the elements in one copy.
    public mutating func write<T: FixedWidthInteger & BitwiseCopyable>(array values: [T]) {
        writeBlock(values)
    }

    /// A `UInt32` element count, then the bit patterns in one copy.
    public mutating func write(array values: [Double]) {
        writeBlock(values)
    }

    /// Only for element types whose in-memory form is their little-endian encoding (see LittleEndian.swift).
    private mutating func writeBlock<T: BitwiseCopyable>(_ values: [T]) {
        writeLength(values.count)
        values.withUnsafeBytes { storage.append(contentsOf: $0) }
    }

    @inlinable
    mutating func writeLength(_ count: Int) {
        precondition(count <= Int(UInt32.max), "BinaryWriter: \(count) elements do not fit a UInt32 length prefix")
        write(UInt32(count))
    }
}
