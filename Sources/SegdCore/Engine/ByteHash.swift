/// A 64-bit hash of short byte strings (ids): FNV-1a over the bytes, seeded, followed by a
/// murmur-style finaliser so both the low bits (table slots) and the high bits (tags) are well
/// mixed. Two seeds give two independent hashes where 64 bits are not enough.
enum ByteHash {
    @inlinable
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}
