/// Byte comparisons over raw buffers for the decoder's and the JSON writer's hot paths, where the
/// generic `elementsEqual`/`allSatisfy`/`contains` over slices cost more than the rest of a field.
extension UnsafeRawBufferPointer {
    /// Whether both buffers hold the same bytes.
    ///
    /// No step of one byte: the bytes are compared as two words of 8, 4 or 2 bytes that overlap
    /// when the count is not a multiple (comparing a byte twice cannot change the answer), and
    /// longer buffers word by word with the last word overlapping. Names and ids are short.
    @inline(__always)
    func hasSameBytes(as other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        guard let a = baseAddress, let b = other.baseAddress else { return true }
        switch count {
        case 8...:
            var i = 0
            while i + 8 < count {
                guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self) else {
                    return false
                }
                i += 8
            }
            return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        case 4...:
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        case 2...:
            return a.loadUnaligned(as: UInt16.self) == b.loadUnaligned(as: UInt16.self)
                && a.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self) == b.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)
        case 1:
            return a.load(as: UInt8.self) == b.load(as: UInt8.self)
        default:
            return true
        }
    }

    /// Whether these bytes are exactly `word`'s UTF-8.
    @inline(__always)
    func hasSameBytes(as word: StaticString) -> Bool {
        hasSameBytes(as: UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    /// Whether every byte lies in `lowest…highest`, an ASCII range (`highest` below 0x80).
    @inline(__always)
    func allBytes(in lowest: UInt8, _ highest: UInt8) -> Bool {
        allWords(padding: lowest) { !Self.someByte(of: $0, below: lowest, orAbove: highest) }
    }

    /// Whether these bytes can stand inside a JSON string as they are: printable ASCII, no quote
    /// and no backslash. (Other bytes may too, as UTF-8; this is the fast test for what ids are.)
    @inline(__always)
    func isPlainJSONStringContent() -> Bool {
        allWords(padding: UInt8(ascii: " ")) { word in
            !Self.someByte(of: word, below: 0x20, orAbove: 0x7E) && !Self.someByte(of: word, is: UInt8(ascii: "\""))
                && !Self.someByte(of: word, is: UInt8(ascii: "\\"))
        }
    }

    /// Whether `test` holds of every 8-byte word of these bytes.
    ///
    /// Eight bytes per step, and no step of one byte: a tail shorter than a word is tested with
    /// a word that overlaps bytes tested already, and a buffer shorter than a word with one
    /// assembled from two overlapping loads, padded with `padding` bytes, which `test` must accept
    /// (testing a byte twice cannot change an all-bytes answer). The ids the decoder checks are
    /// mostly under 16 bytes.
    @inline(__always)
    private func allWords(padding: UInt8, _ test: (UInt64) -> Bool) -> Bool {
        guard let base = baseAddress, count > 0 else { return true }
        guard count >= 8 else {
            let padding = Self.ones &* UInt64(padding)
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
            return test(word)
        }
        var i = 0
        while i + 8 < count {
            guard test(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) else { return false }
            i += 8
        }
        return test(base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// Whether some byte of `word` is below `lowest` or above `highest` (below 0x80): "below" by
    /// the has-less-than trick; "above" because adding 0x7F - highest sets the top bit of exactly
    /// those bytes (and any byte >= 0x80 has it already).
    @inline(__always)
    private static func someByte(of word: UInt64, below lowest: UInt8, orAbove highest: UInt8) -> Bool {
        let below = (word &- ones &* UInt64(lowest)) & ~word
        let above = (word &+ ones &* UInt64(0x7F - highest)) | word
        return (below | above) & 0x8080_8080_8080_8080 != 0
    }

    /// Whether some byte of `word` is `byte`: some byte of their difference is zero.
    @inline(__always)
    private static func someByte(of word: UInt64, is byte: UInt8) -> Bool {
        let difference = word ^ ones &* UInt64(byte)
        return (difference &- ones) & ~difference & 0x8080_8080_8080_8080 != 0
    }
}
