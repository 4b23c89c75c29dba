/// The result of `SnapshotFile.latestValid`: the newest snapshot that checks out, if any, and every newer one
/// that did not, newest first.
public struct SnapshotSearch: Sendable {
    public let newestValid: Snapshot?
    public let rejected: [SnapshotRejection]
}
