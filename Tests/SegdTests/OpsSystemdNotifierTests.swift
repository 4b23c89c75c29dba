#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Segd

@Suite struct SystemdNotifierTests {
    @Test func noOpWithoutNotifySocket() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(notifier.configurationProblem == nil)
        try notifier.ready(status: "x")
        try notifier.watchdog()
        try notifier.stopping()
    }

    @Test func unusableAddressDisables() {
        let relative = SystemdNotifier(environment: ["NOTIFY_SOCKET": "run/notify"])
        #expect(!relative.isEnabled)
        #expect(relative.configurationProblem != nil)
        let long = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "a", count: 120)])
        #expect(!long.isEnabled)
        #expect(long.configurationProblem != nil)
    }

    @Test(arguments: [false, true])
    func exactDatagrams(abstract: Bool) throws {
        let listener = try NotifyListener(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.notifySocket])
        #expect(notifier.isEnabled)

        try notifier.ready()
        #expect(listener.receive() == "READY=1")
        try notifier.ready(status: "serving 28 segments")
        #expect(listener.receive() == "READY=1\nSTATUS=serving 28 segments")
        try notifier.stopping()
        #expect(listener.receive() == "STOPPING=1")
        try notifier.stopping(status: "draining")
        #expect(listener.receive() == "STOPPING=1\nSTATUS=draining")
        try notifier.watchdog()
        #expect(listener.receive() == "WATCHDOG=1")
        try notifier.status("replaying journal\n42%")
        #expect(listener.receive() == "STATUS=replaying journal 42%")
        try notifier.extendTimeout(microseconds: 90_000_000)
        #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=90000000")
        try notifier.notify("ERRNO=5")
        #expect(listener.receive() == "ERRNO=5")

        let before = MonotonicClock.microseconds()
        try notifier.reloading()
        let after = MonotonicClock.microseconds()
        let reload = try #require(listener.receive())
        let prefix = "RELOADING=1\nMONOTONIC_USEC="
        #expect(reload.hasPrefix(prefix))
        let usec = try #require(UInt64(reload.dropFirst(prefix.count)))
        #expect(before <= usec && usec <= after)

        #expect(listener.receive(wait: false) == nil)
    }

    @Test func monotonicMatchesClockMonotonic() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let reference = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
        let ours = MonotonicClock.microseconds()
        #expect(ours >= reference && ours - reference < 1_000_000)
    }

    @Test func sendFailureIsReported() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent-segd-dir/notify.sock"])
        #expect(throws: SystemdNotifyError.sendFailed(errno: ENOENT)) { try notifier.ready() }
        let abstract = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@segd-nobody-listens-\(getpid())"])
        #expect(throws: SystemdNotifyError.sendFailed(errno: ECONNREFUSED)) { try abstract.watchdog() }
    }
}

@Suite struct WatchdogTests {
    @Test func settingsFromEnvironment() {
        #expect(WatchdogSettings.from(environment: [:], pid: 42) == nil)
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "abc"], pid: 42) == nil)
        let mine = WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000"], pid: 42)
        #expect(mine?.timeoutMicroseconds == 30_000_000)
        #expect(mine?.pingIntervalMicroseconds == 15_000_000)
        #expect(mine?.pingInterval == .seconds(15))
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42) == mine)
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "43"], pid: 42) == nil)
        #expect(WatchdogSettings.from(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "x"], pid: 42) == nil)
    }

    @Test func pingerSendsOncePerHalfInterval() throws {
        let listener = try NotifyListener(abstract: false)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.notifySocket])
        let settings = WatchdogSettings(timeoutMicroseconds: 2_000)  // ping every 1 000 µs
        let pinger = WatchdogPinger(notifier: notifier, settings: settings)

        let t0: UInt64 = 5_000_000
        #expect(try pinger.tick(nowMicroseconds: t0))  // first tick always pings
        #expect(listener.receive() == "WATCHDOG=1")
        for dt: UInt64 in [0, 1, 500, 999] {
            #expect(try !pinger.tick(nowMicroseconds: t0 + dt))
        }
        #expect(try !pinger.tick(nowMicroseconds: t0 - 10))  // a stale reading never pings
        #expect(try pinger.tick(nowMicroseconds: t0 + 1_000))
        #expect(try !pinger.tick(nowMicroseconds: t0 + 1_999))
        #expect(try pinger.tick(nowMicroseconds: t0 + 2_500))
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive(wait: false) == nil)
    }

    @Test func pingerIsInertWithoutWatchdogOrSocket() throws {
        let listener = try NotifyListener(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.notifySocket])
        let off = WatchdogPinger(notifier: notifier, settings: nil)
        #expect(try !off.tick())
        let noSocket = WatchdogPinger(notifier: SystemdNotifier(environment: [:]), settings: .init(timeoutMicroseconds: 10))
        #expect(try !noSocket.tick())
        #expect(listener.receive(wait: false) == nil)
    }

    @Test func concurrentTickersPingOnce() async throws {
        let listener = try NotifyListener(abstract: false)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.notifySocket])
        let pinger = WatchdogPinger(notifier: notifier, settings: .init(timeoutMicroseconds: 60_000_000))
        let now = MonotonicClock.microseconds()
        let sent = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (try? pinger.tick(nowMicroseconds: now)) == true ? 1 : 0 }
            }
            return await group.reduce(0, +)
        }
        #expect(sent == 1)
        #expect(listener.receive() == "WATCHDOG=1")
        #expect(listener.receive(wait: false) == nil)
    }
}
