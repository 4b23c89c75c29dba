/// The byte layout of a journal segment, shared by the appender, replay and rewrite.
///
/// A segment starts with a 12-byte header — magic `SEGDJRNL`, format version `UInt32` — followed by records:
///
///     u32 payload length | u32 CRC-32C | u64 sequence number | payload
///
/// all little-endian. The CRC covers the length, the sequence number and the payload, so a damaged length or
/// sequence number is caught like damaged data rather than silently renumbering or skipping a record.
enum JournalFormat {
    static let magic = Array("SEGDJRNL".utf8)
    static let version: UInt32 = 1
    static let fileHeaderSize = 12
    static let recordHeaderSize = 16
    /// Above anything segd journals, so a larger length in a file is damage, not a record. segd journals
    /// every message it receives, rejected ones too, with up to two frames as large as its sockets let in
    /// (16 × the largest `max_message_bytes`, 256 MiB each); a test in SegdTests keeps the two in step.
    static let maximumPayloadLength = 1 << 30
    static let fileName = SequencedFileName.journalSegment

    static var fileHeader: [UInt8] {
        var writer = BinaryWriter(reservingCapacity: fileHeaderSize)
        writer.writeRaw(magic)
        writer.write(version)
        return writer.bytes
    }

    /// Whether a segment followed by one that starts at `nextFirstSequence` holds nothing after `sequence`,
    /// so that a snapshot covering `sequence` makes it unnecessary. Segment names are the only bound needed.
    static func segment(endingBefore nextFirstSequence: UInt64, isCoveredBy sequence: UInt64) -> Bool {
        sequence == .max || nextFirstSequence <= sequence + 1
    }

    /// Frames one record onto the end of `buffer`. The header goes in with one append: the loop
    /// thread frames every inbound message, and three appends of four and eight bytes cost more
    /// than the copy of the payload.
    @inline(__always)
    static func appendRecord(sequence: UInt64, payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        let length = UInt32(payload.count)
        // Little-endian fields in their order on disk; 4 + 4 + 8 bytes leave no padding.
        let header = (length.littleEndian, checksum(length: length, sequence: sequence, payload: payload).littleEndian, sequence.littleEndian)
        assert(MemoryLayout.size(ofValue: header) == recordHeaderSize)
        withUnsafeBytes(of: header) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: payload)
    }

    @inline(__always)
    static func checksum(length: UInt32, sequence: UInt64, payload: UnsafeRawBufferPointer) -> UInt32 {
        let crc = withUnsafeBytes(of: length.littleEndian) { CRC32C.checksum($0) }
        let withSequence = withUnsafeBytes(of: sequence.littleEndian) { CRC32C.checksum($0, continuing: crc) }
        return CRC32C.checksum(payload, continuing: withSequence)
    }
}
