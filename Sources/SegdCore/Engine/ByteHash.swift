/// A 64-bit hash of short byte strings (ids): FNV-1a over the bytes, seeded, followed by a
/// murmur-style finaliser so both the low bits (table slots) and the high bits (tags) are well
/// mixed. Two seeds give two independent hashes where 64 bits are not enough.
///
/// Snapshots store the dedup filter's hashes, so the function is part of their format: a test
/// pins its values. Public for the benchmarks, which split customers into shards by it.
public enum ByteHash {
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var hash = basis ^ seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return finalised(hash)
    }

    /// `hash(bytes, seed: first)` and `hash(bytes, seed: second)` in one pass: the two
    /// multiplication chains are independent, so the processor runs them side by side, where
    /// two passes wait for each multiplication in turn.
    @inlinable
    static func hashes(_ bytes: UnsafeRawBufferPointer, seeds first: UInt64, _ second: UInt64) -> (UInt64, UInt64) {
        var one = basis ^ first
        var two = basis ^ second
        for byte in bytes {
            one = (one ^ UInt64(byte)) &* prime
            two = (two ^ UInt64(byte)) &* prime
        }
        return (finalised(one), finalised(two))
    }

    @inlinable static var basis: UInt64 { 0xCBF2_9CE4_8422_2325 }
    @inlinable static var prime: UInt64 { 0x0000_0100_0000_01B3 }

    @inlinable
    static func finalised(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}
