import Foundation

/// `segd reload`: sends SIGHUP to running `segd run` daemons, found by their command line in
/// /proc the way `pkill -HUP` would, or to the one process given.
public enum ReloadSignal {
    /// Signals `pid`, or every `segd run` process of this machine when nil; returns the pids signalled.
    public static func send(to pid: Int32?) throws -> [Int32] {
        let targets = try pid.map { [$0] } ?? runningDaemons()
        guard !targets.isEmpty else { throw ReloadSignalError.noDaemon }
        for target in targets where kill(target, SIGHUP) != 0 {
            throw ReloadSignalError.failed(target, String(cString: strerror(errno)))
        }
        return targets
    }

    private static func runningDaemons() throws -> [Int32] {
        let own = getpid()
        return try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { pid in
            guard pid != own, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.count >= 2 && (arguments[0] as NSString).lastPathComponent == "segd" && arguments[1] == "run"
        }
    }
}

public enum ReloadSignalError: Error, CustomStringConvertible {
    case noDaemon
    case failed(Int32, String)

    public var description: String {
        switch self {
        case .noDaemon: "no running `segd run` process found (give --pid to signal one by number)"
        case .failed(let pid, let reason): "cannot signal process \(pid): \(reason)"
        }
    }
}
