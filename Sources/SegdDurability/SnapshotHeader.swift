/// The fixed 44-byte start of a snapshot file, all little-endian:
///
///     "SEGDSNAP" | u32 format version | u64 journal sequence covered | u64 created (Unix epoch ms)
///     | u64 payload length | u32 payload CRC-32C | u32 header CRC-32C (of the 40 bytes before it)
///
/// The header has its own checksum because the payload's cannot vouch for the journal sequence: a flipped bit
/// there would make the daemon replay from the wrong place with every check passing.
public struct SnapshotHeader: Sendable, Equatable {
    public static let size = 44
    public static let currentVersion: UInt32 = 1
    static let magic = Array("SEGDSNAP".utf8)

    public let formatVersion: UInt32
    /// The last journal record whose effect the payload includes; replay continues after it.
    public let journalSequence: UInt64
    public let createdAtMilliseconds: UInt64
    public let payloadLength: UInt64
    public let payloadChecksum: UInt32

    init(journalSequence: UInt64, createdAtMilliseconds: UInt64, payload: [UInt8]) {
        formatVersion = Self.currentVersion
        self.journalSequence = journalSequence
        self.createdAtMilliseconds = createdAtMilliseconds
        payloadLength = UInt64(payload.count)
        payloadChecksum = CRC32C.checksum(payload)
    }

    /// Decodes and checks the first `size` bytes of the snapshot at `path`.
    init(decoding bytes: [UInt8], path: String) throws(DurabilityError) {
        guard bytes.count >= Self.size else {
            throw DurabilityError(.truncated(needed: Self.size, available: bytes.count), path: path, offset: 0)
        }
        var reader = BinaryReader(bytes, path: path)
        guard try reader.readRaw(count: Self.magic.count) == Self.magic else {
            throw DurabilityError(.badMagic(expected: "snapshot"), path: path, offset: 0)
        }
        formatVersion = try reader.read(UInt32.self)
        guard formatVersion == Self.currentVersion else {
            throw DurabilityError(
                .unsupportedVersion(found: formatVersion, supported: Self.currentVersion), path: path, offset: Self.magic.count
            )
        }
        journalSequence = try reader.read(UInt64.self)
        createdAtMilliseconds = try reader.read(UInt64.self)
        payloadLength = try reader.read(UInt64.self)
        payloadChecksum = try reader.read(UInt32.self)
        let checksumOffset = reader.position
        let stored = try reader.read(UInt32.self)
        let computed = CRC32C.checksum(Array(bytes[..<checksumOffset]))
        guard stored == computed else {
            throw DurabilityError(.checksumMismatch(region: "header", stored: stored, computed: computed), path: path, offset: checksumOffset)
        }
    }

    var encoded: [UInt8] {
        var writer = BinaryWriter(reservingCapacity: Self.size)
        writer.writeRaw(Self.magic)
        writer.write(formatVersion)
        writer.write(journalSequence)
        writer.write(createdAtMilliseconds)
        writer.write(payloadLength)
        writer.write(payloadChecksum)
        writer.write(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }
}
