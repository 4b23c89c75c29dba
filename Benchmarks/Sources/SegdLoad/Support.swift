import Foundation
import Glibc

/// Monotonic nanoseconds: comparable across processes on one machine, so a publisher and a
/// subscriber in different processes can be timed against each other.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Wall-clock epoch milliseconds, for event times.
func wallMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// `--name value` options of one subcommand.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) throws {
        var rest = arguments
        while let name = rest.popFirst() {
            guard name.hasPrefix("--"), let value = rest.popFirst() else { throw UsageError(description: "expected --option value, got \(name)") }
            values[String(name.dropFirst(2))] = value
        }
    }

    func string(_ name: String, default defaultValue: String? = nil) throws -> String {
        guard let value = values[name] ?? defaultValue else { throw UsageError(description: "missing --\(name)") }
        return value
    }

    /// The value of `--name`, or nil when it was not given.
    func optionalString(_ name: String) -> String? {
        values[name]
    }

    func int(_ name: String, default defaultValue: Int) throws -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else { throw UsageError(description: "--\(name): not an integer: \(text)") }
        return value
    }

    func ints(_ name: String, default defaultValue: [Int]) throws -> [Int] {
        guard let text = values[name] else { return defaultValue }
        return try text.split(separator: ",").map {
            guard let value = Int($0.replacingOccurrences(of: "_", with: "")) else { throw UsageError(description: "--\(name): not integers: \(text)") }
            return value
        }
    }
}

/// Paths of the main package, found from this file's location (Benchmarks/Sources/SegdLoad/).
enum Paths {
    static let mainPackage = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var segdBinary: String { mainPackage.appendingPathComponent(".build/release/segd").path }
    static var defaultConfig: String { mainPackage.appendingPathComponent("deploy/segd.toml").path }
    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func workDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["SEGD_BENCH_DIR"] ?? (NSTemporaryDirectory() + "segd-bench")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        return base
    }
}

/// Reads a file descriptor line by line (blocking).
final class LineReader {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    func nextLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                if pending.isEmpty { return nil }
                defer { pending.removeAll() }
                return String(decoding: pending, as: UTF8.self)
            }
            pending.append(contentsOf: chunk[..<count])
        }
    }
}

/// segd-load itself in one of its child roles (`publish`, `bare-sub`, `relay`), its standard
/// output read line by line through one reader, so no line is lost in another's buffer.
final class ChildRole {
    let process = Process()
    private let pipe = Pipe()
    let output: LineReader

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Paths.selfExecutable)
        process.arguments = arguments
        process.standardOutput = pipe
        try process.run()
        output = LineReader(pipe.fileHandleForReading.fileDescriptor)
    }

    /// The last line starting with `prefix` before the role's output ends.
    func lastLine(startingWith prefix: String) -> String? {
        var last: String?
        while let line = output.nextLine() { if line.hasPrefix(prefix) { last = line } }
        return last
    }
}

/// Fields of `/proc/PID/status` in kB (VmRSS, VmHWM, …).
func procStatusKilobytes(_ pid: Int32) -> [String: Int] {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
    var fields: [String: Int] = [:]
    for line in text.split(separator: "\n") where line.hasSuffix(" kB") {
        let parts = line.split(separator: ":")
        guard parts.count == 2 else { continue }
        fields[String(parts[0])] = Int(parts[1].dropLast(3).trimmingCharacters(in: .whitespaces))
    }
    return fields
}

/// State letter and user+system CPU ticks of a process, from `/proc/PID/stat`.
func procState(_ pid: Int32) -> (state: Character, cpuTicks: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
    guard fields.count > 13, let state = fields[0].first, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return (state, user + system)
}

func formatRate(_ perSecond: Double) -> String {
    perSecond >= 1e6 ? String(format: "%.2f M/s", perSecond / 1e6) : String(format: "%.0f k/s", perSecond / 1e3)
}

/// Appends one result line (JSON) to `results/results.jsonl` beside this package, for the README table.
func recordResult(_ json: String) {
    let directory = Paths.mainPackage.appendingPathComponent("Benchmarks/results")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("results.jsonl").path
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: path) else { return }
    handle.seekToEndOfFile()
    handle.write(Data((json + "\n").utf8))
    handle.closeFile()
}
