import Testing
@testable import SegdDurability

@Suite struct CRC32CTests {
    @Test func knownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // RFC 3720 (iSCSI) appendix B.4 test vectors.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    /// The processor's instruction and slicing-by-8 must each agree with the one-bit-at-a-time
    /// definition at every length and at every start within a word (unaligned loads).
    @Test func agreesWithBitwiseDefinitionAtEveryLengthAndAlignment() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let data = (0..<300).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        data.withUnsafeBytes { all in
            for start in 0..<9 {
                for end in stride(from: start, through: data.count, by: 7) {
                    let bytes = UnsafeRawBufferPointer(rebasing: all[start..<end])
                    let expected = bitwiseCRC32C(Array(bytes))
                    #expect(CRC32C.checksum(bytes) == expected, "bytes \(start)..<\(end)")
                    #expect(CRC32C.softwareChecksum(bytes) == expected, "bytes \(start)..<\(end), software")
                    #expect(CRC32C.checksum(bytes, continuing: 0x1234_5678) == CRC32C.softwareChecksum(bytes, continuing: 0x1234_5678))
                }
            }
        }
    }

    #if arch(x86_64)
    /// Every x86-64 processor this runs on has SSE4.2; were detection broken, the test above
    /// would compare the software CRC with itself.
    @Test func usesTheInstructionOnX86() {
        #expect(CRC32C.hardware)
    }
    #endif

    @Test func continuingEqualsOneShot() {
        let bytes = Array("the quick brown fox jumps over the lazy dog".utf8)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(CRC32C.checksum(Array(bytes[split...]), continuing: first) == CRC32C.checksum(bytes))
        }
    }

    private func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
