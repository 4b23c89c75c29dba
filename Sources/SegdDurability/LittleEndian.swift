// The byte order of every file this module writes. The bulk array paths copy memory as it is, which is only the
// little-endian encoding on a little-endian host; every platform segd ships on (x86-64, arm64) is one.
#if _endian(big)
#error("segd copies arrays in host byte order and supports little-endian hosts only")
#endif

extension UnsafeRawBufferPointer {
    /// The little-endian integer at `offset`, which the caller has bounds-checked.
    @inline(__always)
    func loadLittleEndian<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type = T.self, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    @inlinable
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
