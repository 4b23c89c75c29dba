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
    ///
    /// Eight bytes per step, and no step of one byte: a tail shorter than a word is checked with
    /// a word that overlaps bytes checked already, and a buffer shorter than a word with one
    /// assembled from two overlapping loads, padded with `lowest` (checking a byte twice cannot
    /// change an all-bytes answer). The ids the decoder checks are mostly under 16 bytes.
    @inline(__always)
    func allBytes(in lowest: UInt8, _ highest: UInt8) -> Bool {
        guard let base = baseAddress, count > 0 else { return true }
        let ones: UInt64 = 0x0101_0101_0101_0101
        // "Some byte < lowest" by the has-less-than trick; "some byte > highest" because adding
        // 0x7F - highest sets the top bit of exactly those bytes (and any byte >= 0x80 has it already).
        func inRange(_ word: UInt64) -> Bool {
            let below = (word &- ones &* UInt64(lowest)) & ~word
            let above = (word &+ ones &* UInt64(0x7F - highest)) | word
            return (below | above) & 0x8080_8080_8080_8080 == 0
        }
        guard count >= 8 else {
            let padding = ones &* UInt64(lowest)
            let word: UInt64
            switch count {
            case 4...:
                let low = UInt64(base.loadUnaligned(as: UInt32.self))
                let high = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
                word = low | high << 32
            case 2...:
                let low = UInt64(base.loadUnaligned(as: UInt16.self))
                let high = UInt64(base.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self))
                word = low | high << 16 | padding & 0xFFFF_FFFF_0000_0000
            default:
                word = UInt64(base.load(as: UInt8.self)) | padding & 0xFFFF_FFFF_FFFF_FF00
            }
            return inRange(word)
        }
        var i = 0
        while i + 8 < count {
            guard inRange(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) else { return false }
            i += 8
        }
        return inRange(base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }
}
