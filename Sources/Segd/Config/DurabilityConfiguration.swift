import Foundation
public import SegdDurability

extension SegdConfiguration {
    /// `[durability]`: where the journal and snapshots live and how hard they are pushed to disk.
    public struct Durability: Sendable, Equatable {
        /// Off: the daemon keeps state only in memory and starts empty every time.
        public var enabled = true
        /// The state directory, absolute once loaded (see ``defaultDirectory(configFile:environment:)``).
        public var directory = ""
        /// When journal writes are forced to disk, like Redis's `appendfsync`.
        public var fsync: FsyncPolicy = .interval(milliseconds: 1_000)
        /// Wall-clock time between periodic snapshots (one is also written at every clean stop).
        public var snapshotIntervalMilliseconds: Int64 = 5 * 60 * 1_000
        /// Snapshots kept; the journal is kept back to the oldest, so a damaged newest one falls back.
        public var snapshotsRetained = SnapshotFile.defaultRetainCount

        public init() {}

        /// systemd's `$STATE_DIRECTORY` (set by `StateDirectory=`) when present, else `state` next to the config file.
        static func defaultDirectory(configFile: String, environment: [String: String]) -> String {
            if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty { return String(state) }
            return resolve("state", against: configFile)
        }
    }

    mutating func readDurability(_ reader: ConfigReader, environment: [String: String]) throws(ConfigError) {
        var reader = reader
        durability.enabled = try reader.bool("enabled", default: durability.enabled)
        durability.directory = try reader.optionalString("directory").map { Self.resolve($0, against: file) }
            ?? Durability.defaultDirectory(configFile: file, environment: environment)
        if durability.directory.isEmpty { throw reader.error("directory", "expected a directory path") }
        let policy = try reader.string("fsync", default: "interval")
        let interval = try reader.duration("fsync_interval", default: 1_000, in: 1...60_000)
        switch policy {
        case "always": durability.fsync = .always
        case "interval": durability.fsync = .interval(milliseconds: Int(interval))
        case "none": durability.fsync = .none
        default: throw reader.error("fsync", "expected \"always\", \"interval\" or \"none\", got \"\(policy)\"")
        }
        durability.snapshotIntervalMilliseconds = try reader.duration(
            "snapshot_interval", default: durability.snapshotIntervalMilliseconds, in: 1_000...7 * 24 * 3_600_000)
        durability.snapshotsRetained = try reader.integer("snapshots_retained", default: durability.snapshotsRetained, in: 1...100)
        try reader.finish()
    }

    /// `path` as written in the config file: absolute, or relative to the file's directory.
    static func resolve(_ path: String, against configFile: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: configFile).deletingLastPathComponent().appendingPathComponent(path).path
    }
}
