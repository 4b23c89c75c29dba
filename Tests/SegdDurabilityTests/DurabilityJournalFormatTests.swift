import Testing
@testable import SegdDurability

@Suite struct JournalFormatTests {
    /// A record is its payload's length, the CRC-32C of length, sequence number and payload, and the sequence
    /// number, all little-endian, then the payload: spelled out byte by byte here, apart from the framing code.
    @Test func recordBytesAreLengthChecksumSequenceThenPayload() {
        let payload: [UInt8] = Array("an event".utf8)
        let sequence: UInt64 = 0x0102_0304_0506_0708
        var record: [UInt8] = [0xEE]
        payload.withUnsafeBytes { JournalFormat.appendRecord(sequence: sequence, payload: $0, to: &record) }

        let lengthBytes: [UInt8] = [8, 0, 0, 0]
        let sequenceBytes: [UInt8] = [8, 7, 6, 5, 4, 3, 2, 1]
        let crc = CRC32C.checksum(lengthBytes + sequenceBytes + payload)
        let crcBytes = (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        #expect(record == [0xEE] + lengthBytes + crcBytes + sequenceBytes + payload)
        #expect(record.count == 1 + JournalFormat.recordHeaderSize + payload.count)
    }
}
