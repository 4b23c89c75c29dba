import Foundation
import Glibc

/// What the latency benchmark sends its stream to and hears alerts from: segd, or a bare relay.
protocol LatencyTarget: AnyObject {
    var subEndpoint: String { get }
    var publishEndpoint: String { get }
    /// Its process, whose threads' CPU time the run reports.
    var pid: Int32 { get }
    /// Stops it and returns the messages it processed, if it says.
    func stop() -> Int?
}

/// A real `segd run` child process on a temporary config, for the end-to-end and latency runs.
///
/// The config is `deploy/segd.toml` with the inbound and outbound endpoints replaced, the PULL
/// socket off, both high-water marks raised to 10,000,000 (the config's maximum) so PUB/SUB does not
/// drop during the measurement, the state in a directory of its own, and optionally extra segments appended. Endpoints are read back from
/// the start-up banner (ports chosen by the system); the processed count from the `stopped` log line
/// the daemon writes to stderr after SIGTERM.
final class DaemonProcess: LatencyTarget {
    let process = Process()
    let subEndpoint: String
    let publishEndpoint: String
    private let stderrPath: String
    let configPath: String

    private let stateDirectory: String
    /// Nanoseconds from spawning the process to reading its start-up banner, which it prints once
    /// its state is recovered and its sockets are bound (when it also sends READY=1).
    private(set) var startNanoseconds: UInt64 = 0

    /// `prepare` runs after the config is written and before the process starts, with the
    /// config's path and its state directory (to put a snapshot there).
    init(
        segd: String, baseConfig: String, subBind: String, publishBind: String, extraSegments: String = "", workDirectory: String,
        snapshotInterval: String = "1h",
        fsync: String? = nil,
        prepare: (_ configPath: String, _ stateDirectory: String) throws -> Void = { _, _ in }
    ) throws {
        let baseDirectory = URL(fileURLWithPath: baseConfig).deletingLastPathComponent().path
        var lines: [String] = []
        let id = UUID().uuidString.prefix(8)
        for line in try String(contentsOfFile: baseConfig, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "[engine]" {
                // The generated streams carry event times of early 2026: advancing the clock to the
                // wall clock while the publisher is still connecting would make every event late.
                lines.append(String(line))
                lines.append("idle_advance = \"1h\"")
            } else if trimmed.hasPrefix("idle_advance") {
                continue
            } else if trimmed == "[durability]" {
                // Each daemon its own (empty) state; the journal stays on, as in production.
                lines.append(String(line))
                lines.append("directory = \"\(workDirectory)/state-\(id)\"")
                lines.append("snapshot_interval = \"\(snapshotInterval)\"")
                if let fsync { lines.append("fsync = \"\(fsync)\"") }
            } else if trimmed.hasPrefix("directory") || trimmed.hasPrefix("snapshot_interval") {
                continue
            } else if fsync != nil, trimmed.hasPrefix("fsync ") || trimmed.hasPrefix("fsync=") {
                continue
            } else if trimmed.hasPrefix("params = \""), !trimmed.hasPrefix("params = \"/") {
                // Relative to the shipped config, not to the copy.
                lines.append("params = \"\(baseDirectory)/\(trimmed.dropFirst("params = \"".count))")
            } else if trimmed.hasPrefix("sub_bind") {
                lines.append("sub_bind = [\"\(subBind)\"]")
                lines.append("receive_hwm = 10000000")
            } else if trimmed.hasPrefix("pull_bind") {
                lines.append("pull_bind = []")
            } else if trimmed.hasPrefix("bind") {
                lines.append("bind = [\"\(publishBind)\"]")
                lines.append("send_hwm = 10000000")
            } else if trimmed.hasPrefix("receive_hwm") || trimmed.hasPrefix("send_hwm") {
                continue
            } else {
                lines.append(String(line))
            }
        }
        configPath = "\(workDirectory)/segd-\(id).toml"
        stderrPath = "\(workDirectory)/segd-\(id).stderr"
        try (lines.joined(separator: "\n") + "\n" + extraSegments).write(toFile: configPath, atomically: true, encoding: .utf8)
        stateDirectory = "\(workDirectory)/state-\(id)"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        try prepare(configPath, stateDirectory)

        process.executableURL = URL(fileURLWithPath: segd)
        process.arguments = ["run", "--config", configPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        let spawned = monotonicNanoseconds()
        try process.run()
        let reader = LineReader(output.fileHandleForReading.fileDescriptor)
        var sub: String?
        var publish: String?
        while sub == nil || publish == nil, let line = reader.nextLine() {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count >= 4, words[0] == "events", words[2] == "SUB" { sub = String(words[3]) }
            if words.count >= 4, words[0] == "alerts", words[2] == "XPUB" { publish = String(words[3]) }
        }
        guard let sub, let publish else {
            process.terminate()
            let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw UsageError(description: "segd did not start (config \(configPath)):\n\(log)")
        }
        startNanoseconds = monotonicNanoseconds() - spawned
        subEndpoint = sub
        publishEndpoint = publish
    }

    var pid: Int32 { process.processIdentifier }

    /// The daemon's stderr as it was when it exited; empty until `stop` returns.
    private(set) var log = ""

    /// Sends SIGTERM, waits for exit and returns `processed` from the `stopped` log line.
    ///
    /// After a clean exit the config, the log (kept in `log`) and the state directory are removed:
    /// a million-event run leaves over 200 MB of journal and snapshot, and repeated runs would fill
    /// the disk. After a failure they stay for inspection and their paths are printed.
    func stop() -> Int? {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0,
              let line = log.split(separator: "\n").last(where: { $0.contains("stopped") }),
              let field = line.split(separator: " ").first(where: { $0.hasPrefix("processed=") }) else {
            FileHandle.standardError.write(Data("""
                segd exited with status \(process.terminationStatus) without a stopped line; \
                config \(configPath), state \(stateDirectory), log \(stderrPath):
                \(log)

                """.utf8))
            return nil
        }
        for path in [configPath, stderrPath, stateDirectory] { try? FileManager.default.removeItem(atPath: path) }
        return Int(field.dropFirst("processed=".count))
    }
}
