import Foundation
import Segd
public import SegdCore

/// The engine settings and segments of `deploy/segd.toml`, read with the daemon's own
/// configuration reader so the benchmarks measure exactly what `segd run` would run.
public enum DefaultConfig {
    /// `deploy/segd.toml` of the main package, found from this file's location.
    public static var path: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/segd.toml").path
    }

    public static func engineConfiguration(path: String = DefaultConfig.path) -> EngineConfiguration {
        do {
            return try SegdConfiguration.load(path: path).engine
        } catch {
            fatalError("\(error)")
        }
    }
}
