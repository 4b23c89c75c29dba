#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Why a notification could not be sent.
public enum SystemdNotifyError: Error, Equatable, Sendable {
    /// `socket(2)` failed; the errno.
    case socketFailed(errno: Int32)
    /// `sendto(2)` failed; the errno (ECONNREFUSED when nobody listens, ENOENT for a missing path).
    case sendFailed(errno: Int32)
}

/// The sd_notify protocol, spoken directly: one AF_UNIX datagram of newline-separated
/// `KEY=value` assignments to the socket named by `$NOTIFY_SOCKET`. No libsystemd needed.
///
/// Without `NOTIFY_SOCKET` (not started by systemd, or `Type=` isn't `notify`) every method is a
/// no-op that returns normally. A socket address that cannot be used (neither an absolute path nor
/// `@abstract`, or too long) also disables it; ``configurationProblem`` says why, for a log line.
///
/// A value type holding only the destination address: `Sendable`, free to copy into any task. Each
/// call opens a datagram socket, sends once and closes it — the same as libsystemd's
/// `sd_notify()` — so there is no descriptor whose lifetime to manage. That is three syscalls,
/// fine for readiness, status and the watchdog; for the hot loop use ``WatchdogPinger``, which
/// reaches this only once per ping interval.
public struct SystemdNotifier: Sendable {
    /// `sun_path` contents (for an abstract socket the leading `@` is already replaced by NUL).
    private let pathBytes: [UInt8]?
    /// The value of NOTIFY_SOCKET, for log lines.
    public let socketName: String?
    /// Set when NOTIFY_SOCKET was present but unusable.
    public let configurationProblem: String?

    /// Reads `NOTIFY_SOCKET` from `environment` (tests inject it; the daemon passes
    /// `ProcessInfo.processInfo.environment` or uses ``init()``).
    public init(environment: [String: String]) {
        guard let raw = environment["NOTIFY_SOCKET"], !raw.isEmpty else {
            self.pathBytes = nil
            self.socketName = nil
            self.configurationProblem = nil
            return
        }
        self.socketName = raw
        var bytes = Array(raw.utf8)
        // sizeof(sun_path) is 108 on Linux.
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        switch bytes.first {
        case UInt8(ascii: "@"):
            // Abstract namespace: the name is the bytes after the NUL, and its length is given
            // by the address length alone (no terminating NUL).
            bytes[0] = 0
            guard bytes.count <= capacity else {
                self.pathBytes = nil
                self.configurationProblem = "NOTIFY_SOCKET abstract name longer than \(capacity - 1) bytes"
                return
            }
        case UInt8(ascii: "/"):
            // A filesystem path needs room for its terminating NUL.
            guard bytes.count < capacity, !bytes.contains(0) else {
                self.pathBytes = nil
                self.configurationProblem = "NOTIFY_SOCKET path longer than \(capacity - 1) bytes"
                return
            }
        default:
            self.pathBytes = nil
            self.configurationProblem = "NOTIFY_SOCKET is neither an absolute path nor @abstract: \(raw)"
            return
        }
        self.pathBytes = bytes
        self.configurationProblem = nil
    }

    /// Reads `NOTIFY_SOCKET` from the process environment.
    public init() {
        var env: [String: String] = [:]
        if let value = getenv("NOTIFY_SOCKET") {
            env["NOTIFY_SOCKET"] = String(cString: value)
        }
        self.init(environment: env)
    }

    /// True when notifications go somewhere.
    public var isEnabled: Bool { pathBytes != nil }

    // MARK: The messages

    /// Startup finished: `READY=1`, plus `STATUS=` when given. Also send after a reload completes.
    public func ready(status: String? = nil) throws(SystemdNotifyError) {
        try send("READY=1", status: status)
    }

    /// A reload began (on SIGHUP): `RELOADING=1` and `MONOTONIC_USEC=` (CLOCK_MONOTONIC, µs),
    /// which systemd ≥ 253 requires to match the reload to its request and 252 ignores.
    /// Send ``ready(status:)`` when the reload is done, whether it succeeded or not.
    public func reloading(status: String? = nil) throws(SystemdNotifyError) {
        try send("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.microseconds())", status: status)
    }

    /// Shutdown began: `STOPPING=1`.
    public func stopping(status: String? = nil) throws(SystemdNotifyError) {
        try send("STOPPING=1", status: status)
    }

    /// Keep-alive: `WATCHDOG=1`. Prefer ``WatchdogPinger`` in a loop.
    public func watchdog() throws(SystemdNotifyError) {
        try send("WATCHDOG=1", status: nil)
    }

    /// Free-form status line shown by `systemctl status`: `STATUS=...` (line breaks become spaces).
    public func status(_ text: String) throws(SystemdNotifyError) {
        try send(nil, status: text)
    }

    /// Ask for more time in the current start-up, reload or stop phase:
    /// `EXTEND_TIMEOUT_USEC=`. The new deadline is now + `microseconds`, so repeat it before
    /// it runs out (e.g. while replaying a long journal, or draining on stop).
    public func extendTimeout(microseconds: UInt64) throws(SystemdNotifyError) {
        try send("EXTEND_TIMEOUT_USEC=\(microseconds)", status: nil)
    }

    /// Sends arbitrary assignments (`"KEY=value\nKEY2=value"`), for what the helpers above lack.
    public func notify(_ assignments: String) throws(SystemdNotifyError) {
        try sendRaw(Array(assignments.utf8))
    }

    // MARK: Sending

    private func send(_ head: String?, status: String?) throws(SystemdNotifyError) {
        guard pathBytes != nil else { return }
        var message = head ?? ""
        if let status {
            if !message.isEmpty { message += "\n" }
            // A newline would end the assignment and start a bogus one.
            message += "STATUS=" + String(status.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        }
        try sendRaw(Array(message.utf8))
    }

    private func sendRaw(_ message: [UInt8]) throws(SystemdNotifyError) {
        guard let pathBytes else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketFailed(errno: errno) }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        // Abstract: exactly the name's bytes (the leading NUL included). Path: plus its NUL.
        let length = pathOffset + pathBytes.count + (pathBytes.first == 0 ? 0 : 1)

        let sent = message.withUnsafeBytes { body in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    sendto(fd, body.baseAddress, body.count, Int32(MSG_NOSIGNAL), sa, socklen_t(length))
                }
            }
        }
        if sent < 0 { throw .sendFailed(errno: errno) }
    }
}

/// What systemd asked of the watchdog: `WATCHDOG_USEC` (and `WATCHDOG_PID`).
public struct WatchdogSettings: Sendable, Equatable {
    /// `WatchdogSec=` in microseconds: systemd kills (SIGABRT) the service when no `WATCHDOG=1`
    /// arrived for this long.
    public let timeoutMicroseconds: UInt64

    /// How often to ping: half the timeout, as sd_watchdog_enabled(3) advises.
    public var pingIntervalMicroseconds: UInt64 { timeoutMicroseconds / 2 }

    public var pingInterval: Duration { .microseconds(Int64(clamping: pingIntervalMicroseconds)) }

    public init(timeoutMicroseconds: UInt64) {
        self.timeoutMicroseconds = timeoutMicroseconds
    }

    /// From this process's environment and pid.
    public static func fromProcess() -> WatchdogSettings? {
        var env: [String: String] = [:]
        for key in ["WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(key) { env[key] = String(cString: value) }
        }
        return from(environment: env, pid: getpid())
    }

    /// nil when the watchdog is off for this process: `WATCHDOG_USEC` missing, not a positive
    /// integer, or `WATCHDOG_PID` set to another process (or not a number).
    public static func from(environment: [String: String], pid: Int32) -> WatchdogSettings? {
        guard let usecText = environment["WATCHDOG_USEC"],
              let usec = UInt64(usecText), usec > 0
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let watchdogPid = Int32(pidText), watchdogPid == pid else { return nil }
        }
        return WatchdogSettings(timeoutMicroseconds: usec)
    }
}

/// Sends `WATCHDOG=1` at most once per ping interval, however often it's ticked.
///
/// Tick it from the ingest loop itself, once per batch or poll wakeup, with the current
/// ``MonotonicClock/microseconds()``: a loop that wedges stops the pings and systemd restarts the
/// service — which a separate timer task would hide. The loop's poll timeout must therefore be
/// shorter than the ping interval. The fast path is one relaxed atomic load and a compare;
/// `Sendable`, lock-free, safe to share between tasks (a compare-exchange keeps two tickers from
/// both sending).
public final class WatchdogPinger: Sendable {
    public let notifier: SystemdNotifier
    public let intervalMicroseconds: UInt64
    /// When the last ping was sent; `.max`: never.
    private let lastPing = Atomic<UInt64>(.max)

    /// nil `settings` (watchdog off) or a disabled notifier: ``tick(nowMicroseconds:)`` never sends.
    public init(notifier: SystemdNotifier, settings: WatchdogSettings?) {
        self.notifier = notifier
        self.intervalMicroseconds = (notifier.isEnabled ? settings?.pingIntervalMicroseconds : nil) ?? .max
    }

    /// Sends `WATCHDOG=1` if this is the first tick or at least the ping interval has passed since
    /// the last one sent; returns whether it sent.
    @discardableResult
    public func tick(nowMicroseconds now: UInt64 = MonotonicClock.microseconds()) throws(SystemdNotifyError) -> Bool {
        guard intervalMicroseconds != .max else { return false }
        let last = lastPing.load(ordering: .relaxed)
        if last != .max, now < last || now - last < intervalMicroseconds { return false }
        guard lastPing.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else {
            return false  // another task just pinged
        }
        try notifier.watchdog()
        return true
    }
}
