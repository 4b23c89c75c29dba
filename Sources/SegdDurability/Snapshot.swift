/// A snapshot file read back whole and verified: header checksum, size and payload checksum all agree.
public struct Snapshot: Sendable {
    public let path: String
    public let header: SnapshotHeader
    /// What the engine wrote, opaque to this layer; decode it with a `BinaryReader` whose `baseOffset` is
    /// `SnapshotHeader.size`, so errors give file offsets.
    public let payload: [UInt8]
}
