/// Byte comparisons over raw buffers for the decoder's hot path, where the generic
/// `elementsEqual`/`allSatisfy` over slices cost more than the whole rest of a field.
extension UnsafeRawBufferPointer {
    /// Whether both buffers hold the same bytes.
    @inline(__always)
    func hasSameBytes(as other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        guard let a = baseAddress, let b = other.baseAddress else { return true }
        var i = 0
        while i + 8 <= count {
            guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self) else {
                return false
            }
            i += 8
        }
        while i < count {
            guard a.load(fromByteOffset: i, as: UInt8.self) == b.load(fromByteOffset: i, as: UInt8.self) else { return false }
            i += 1
        }
        return true
    }

    /// Whether these bytes are exactly `word`'s UTF-8.
    @inline(__always)
    func hasSameBytes(as word: StaticString) -> Bool {
        hasSameBytes(as: UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    /// Whether every byte lies in `lowest…highest`, an ASCII range (`highest` below 0x80).
    @inline(__always)
    func allBytes(in lowest: UInt8, _ highest: UInt8) -> Bool {
        guard let base = baseAddress else { return true }
        let ones: UInt64 = 0x0101_0101_0101_0101
        var i = 0
        // Eight bytes per step: "some byte < lowest" by the has-less-than trick; "some byte >
        // highest" because adding 0x7F - highest sets the top bit of exactly those bytes (and
        // any byte >= 0x80 has it already).
        while i + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let below = (word &- ones &* UInt64(lowest)) & ~word
            let above = (word &+ ones &* UInt64(0x7F - highest)) | word
            guard (below | above) & 0x8080_8080_8080_8080 == 0 else { return false }
            i += 8
        }
        while i < count {
            let byte = base.load(fromByteOffset: i, as: UInt8.self)
            guard byte >= lowest, byte <= highest else { return false }
            i += 1
        }
        return true
    }
}
