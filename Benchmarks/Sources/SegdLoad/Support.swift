import Foundation
import Glibc

/// Monotonic nanoseconds: comparable across processes on one machine, so a publisher and a
/// subscriber in different processes can be timed against each other.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// The CPU-seconds this process has used so far, every thread's (libzmq's I/O threads among
/// them), user and system time.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
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
    /// Where a run leaves its results (`results.jsonl`, `inprocess.txt`).
    static var resultsDirectory: URL { mainPackage.appendingPathComponent("Benchmarks/results") }
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
    procStat("/proc/\(pid)/stat").map { ($0.state, $0.cpuTicks) }
}

/// Name, state letter and user+system CPU ticks from a `stat` file of `/proc` (a process's or a thread's).
private func procStat(_ path: String) -> (name: String, state: Character, cpuTicks: Int)? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
          let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
    // The name may hold spaces and parentheses: the fields are counted after its last ")".
    let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
    guard fields.count > 13, let state = fields[0].first, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
    return (String(text[text.index(after: open)..<close]), state, user + system)
}

/// Where a measured process's CPU time went: the user+system time of each of its threads, summed
/// by thread name (`segd-ingest`, `segd-receive`, `ZMQbg/IO/0`, …), from `/proc/PID/task/*/stat`
/// in clock ticks (10 ms). Two samples around a measurement tell which threads the time went to
/// without a profiler; a thread that ended between them is not counted.
struct ThreadCPU {
    let secondsByThread: [String: Double]

    init(pid: Int32) {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var seconds: [String: Double] = [:]
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let stat = procStat("/proc/\(pid)/task/\(task)/stat") else { continue }
            seconds[stat.name, default: 0] += Double(stat.cpuTicks) / ticksPerSecond
        }
        secondsByThread = seconds
    }

    /// The CPU-seconds each thread name used since `earlier`, largest first; names that used less
    /// than a tick are left out.
    func since(_ earlier: ThreadCPU) -> [(thread: String, seconds: Double)] {
        secondsByThread.map { ($0.key, $0.value - (earlier.secondsByThread[$0.key] ?? 0)) }
            .filter { $0.1 >= 0.01 }
            .sorted { $0.1 > $1.1 }
    }

    /// `used` (from ``since(_:)``) divided by `divisor` with the total first, as `total (thread a, thread b, …)`:
    /// the cores used over a wall-clock time, or the CPU-seconds per million events.
    static func describe(_ used: [(thread: String, seconds: Double)], per divisor: Double) -> String {
        let total = used.reduce(0) { $0 + $1.seconds } / divisor
        let threads = used.map { "\($0.thread) " + String(format: "%.2f", $0.seconds / divisor) }
        return String(format: "%.2f", total) + " (" + threads.joined(separator: ", ") + ")"
    }

    /// `used` as a JSON object of thread name to CPU-seconds.
    static func json(_ used: [(thread: String, seconds: Double)]) -> String {
        "{" + used.map { "\"\($0.thread)\":" + String(format: "%.2f", $0.seconds) }.joined(separator: ",") + "}"
    }
}

/// How busy the whole machine was between two samples of `/proc/stat`'s `cpu` line: the share of
/// all cores' time not idle, the load a measurement ran under.
struct MachineCPU {
    private let busy: Double
    private let total: Double

    init() {
        let line = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n").first ?? ""
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let counted = ticks.prefix(8)
        total = counted.reduce(0, +)
        busy = total - (counted.count > 4 ? counted[3] + counted[4] : 0)
    }

    /// The busy share of all cores since `earlier`, 0…1.
    func busyFraction(since earlier: MachineCPU) -> Double {
        total > earlier.total ? (busy - earlier.busy) / (total - earlier.total) : 0
    }
}

func formatRate(_ perSecond: Double) -> String {
    perSecond >= 1e6 ? String(format: "%.2f M/s", perSecond / 1e6) : String(format: "%.0f k/s", perSecond / 1e3)
}

/// Appends one result line (JSON) to `results/results.jsonl` beside this package, for the README table.
func recordResult(_ json: String) {
    let directory = Paths.resultsDirectory
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("results.jsonl").path
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: path) else { return }
    handle.seekToEndOfFile()
    handle.write(Data((json + "\n").utf8))
    handle.closeFile()
}
