import Foundation
import Glibc
import ZeroMQ

/// The sentinel closes every end-to-end stream: an order on topic `orders.sentinel` (the daemon
/// subscribes by prefix, so it is an ordinary order to segd) of 1,000 dollars from a fresh customer,
/// which puts it in the one segment the benchmark adds to the default config, `bench_sentinel`
/// (`spend_total >= 1000`; generated orders are 5–400 dollars, so few real customers get there).
/// PUB/SUB keeps order per connection, so when its alert comes out of the daemon, or the bare
/// subscriber sees its topic, everything before it has been handled.
enum Sentinel {
    static let topic = Array("orders.sentinel".utf8)
    static let alertTopic = "segment.bench_sentinel.enter"
    static let segment = """

        [[segment]]
        name = "bench_sentinel"
        description = "Benchmark only: marks the end of an end-to-end stream."
        rule = "spend_total >= 1000"

        """
    static func customer(_ pid: Int32) -> String { "sentinel-\(pid)" }
}

/// An event file (`topic<TAB>json` lines) held in memory so sending reads no disk.
struct EventFile {
    var bytes: [UInt8]
    /// Per message: topic start, payload start, end.
    var bounds: [(topic: Int, payload: Int, end: Int)] = []

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError(description: "cannot read \(path)") }
        bytes = [UInt8](data)
        bounds.reserveCapacity(bytes.count / 120)
        var lineStart = 0
        var tab = -1
        for index in bytes.indices {
            switch bytes[index] {
            case 0x09 where tab < 0: tab = index
            case 0x0A:
                if tab > lineStart { bounds.append((lineStart, tab + 1, index)) }
                lineStart = index + 1
                tab = -1
            default: break
            }
        }
    }

    /// The largest integer `ts` among the last lines, for the sentinel's event time.
    var lastTimestamp: Int64? {
        guard let last = bounds.last else { return nil }
        let payload = String(decoding: bytes[last.payload..<last.end], as: UTF8.self)
        guard let range = payload.range(of: "\"ts\":") else { return nil }
        return Int64(payload[range.upperBound...].prefix { $0.isNumber })
    }
}

/// The event file to send (`--file`), by default `segd generate`'s for `events` events (100,000
/// customers, seed 1) with event times over `span` (segd generate's default 90 days), generated
/// into the work directory the first time it is asked for.
func generatedEventFile(_ options: Options, events: Int, span: String = "90d", segd: String, work: String) throws -> String {
    let file = try options.string("file", default: "\(work)/events-\(events)\(span == "90d" ? "" : "-\(span)").tsv")
    guard !FileManager.default.fileExists(atPath: file) else { return file }
    print("generating \(file) (segd generate --events \(events) --customers 100000 --seed 1 --span \(span))")
    let generate = Process()
    generate.executableURL = URL(fileURLWithPath: segd)
    generate.arguments = ["generate", "--events", "\(events)", "--customers", "100000", "--seed", "1", "--span", span, "-o", file]
    try generate.run()
    generate.waitUntilExit()
    guard generate.terminationStatus == 0 else { throw UsageError(description: "segd generate failed") }
    return file
}

/// `publish`: one PUB (XPUB, to see subscriptions arrive) connected to every endpoint given, sending
/// the file as fast as libzmq takes it, then the sentinel; a SUB on the daemon's alert endpoint
/// notes when the sentinel's alert comes out. Prints one JSON line.
func runPublisher(_ options: Options) throws {
    let file = try EventFile(path: try options.string("file"))
    let endpoints = try options.string("connect").split(separator: ",").map(String.init)
    let subscriptions = try options.int("subscriptions", default: 6)
    let monitorEndpoint = try options.string("monitor")
    guard let lastTimestamp = file.lastTimestamp else { throw UsageError(description: "no integer ts on the last line") }
    let pid = getpid()
    let sentinelCustomer = Sentinel.customer(pid)
    let sentinelPayload = Array("{\"event_id\":\"sentinel-\(pid)\",\"customer_id\":\"\(sentinelCustomer)\",\"ts\":\(lastTimestamp),\"amount\":100000,\"currency\":\"USD\"}".utf8)

    let context = try ZMQContext()
    let monitor = try context.makeSocket(.sub)
    try monitor.setReceiveHighWaterMark(0)
    try monitor.subscribe(Sentinel.alertTopic)
    try monitor.connect(monitorEndpoint)

    let publisher = try context.makeSocket(.xpub)
    try publisher.setXPubVerbose(true)
    try publisher.setSendHighWaterMark(10_000_000)
    for endpoint in endpoints { try publisher.connect(endpoint) }
    // Wait until every subscriber's subscriptions have arrived: PUB sends nothing to a peer before.
    try publisher.setReceiveTimeout(20_000)
    var seen = 0
    while seen < subscriptions {
        guard let message = try publisher.receiveMultipart(), let frame = message.first else {
            throw UsageError(description: "only \(seen) of \(subscriptions) subscriptions arrived in 20 s")
        }
        if frame.first == 1 { seen += 1 }
    }
    // The monitor's own subscription reaches the daemon's PUB in the background; give it a moment.
    usleep(200_000)

    let cpuBefore = processCPUSeconds()
    let start = monotonicNanoseconds()
    try file.bytes.withUnsafeBytes { all in
        for bound in file.bounds {
            try publisher.send(
                UnsafeRawBufferPointer(rebasing: all[bound.topic..<bound.payload - 1]),
                UnsafeRawBufferPointer(rebasing: all[bound.payload..<bound.end]))
        }
    }
    try publisher.send(Sentinel.topic, sentinelPayload)
    let sent = monotonicNanoseconds()

    try monitor.setReceiveTimeout(1_000)
    var alertAt: UInt64?
    var frames = ZMQFrameSet(capacity: 2)
    let marker = Array("\"customer_id\":\"\(sentinelCustomer)\"".utf8)
    let deadline = monotonicNanoseconds() + 120_000_000_000
    while alertAt == nil, monotonicNanoseconds() < deadline {
        guard try monitor.receive(into: &frames), frames.count == 2 else { continue }
        let isSentinel = frames.withFrame(1) { json in
            json.withMemoryRebound(to: UInt8.self) { $0.firstRange(of: marker) != nil }
        }
        if isSentinel { alertAt = monotonicNanoseconds() }
    }
    // By the sentinel's alert both subscribers have had every message: the I/O thread's sending is done.
    let cpu = processCPUSeconds() - cpuBefore
    monitor.close()
    try publisher.setLinger(-1)
    publisher.close()
    print("{\"sent\":\(file.bounds.count + 1),\"start_ns\":\(start),\"sent_ns\":\(sent),\"alert_ns\":\(alertAt.map(String.init) ?? "null"),\"cpu_s\":\(cpu)}")
    fflush(nil)
}

/// `bare-sub`: a SUB that binds, subscribes to the same topics as segd and only counts messages,
/// until the sentinel or 30 s of silence. Prints its endpoint, then one JSON line.
func runBareSubscriber(_ options: Options) throws {
    let context = try ZMQContext()
    let socket = try context.makeSocket(.sub)
    try socket.setReceiveHighWaterMark(10_000_000)
    for topic in ["clicks", "orders", "reviews"] { try socket.subscribe(topic) }
    let endpoint = try socket.bind(try options.string("bind"))
    print("ENDPOINT \(endpoint)")
    fflush(nil)
    try socket.setReceiveTimeout(30_000)
    var frames = ZMQFrameSet(capacity: 2)
    var received = 0
    var first: UInt64 = 0
    var last: UInt64 = 0
    var sawSentinel = false
    let cpuBefore = processCPUSeconds()
    while try socket.receive(into: &frames) {
        last = monotonicNanoseconds()
        if received == 0 { first = last }
        received += 1
        if frames.withFrame(0, { $0.count == Sentinel.topic.count }) {
            sawSentinel = true
            break
        }
    }
    let cpu = processCPUSeconds() - cpuBefore
    socket.close()
    print("{\"received\":\(received),\"first_ns\":\(first),\"last_ns\":\(last),\"sentinel\":\(sawSentinel),\"cpu_s\":\(cpu)}")
    fflush(nil)
}

private func jsonObject(_ line: String?) throws -> [String: Any] {
    guard let line, let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw UsageError(description: "expected a JSON line, got \(line ?? "nothing")")
    }
    return object
}

/// `e2e`: segd and a bare libzmq subscriber fed by one publisher process in the same run.
func runEndToEnd(_ options: Options) throws {
    let transport = try options.string("transport", default: "tcp")
    let events = try options.int("events", default: 1_000_000)
    // 90d: a backfill's shape, every day's time-driven work (timers, RFM days, weekly churn refits)
    // inside the run; 10s: a live stream's, 100,000 events a second of event time.
    let span = try options.string("span", default: "90d")
    let segd = try options.string("segd", default: Paths.segdBinary)
    let work = try Paths.workDirectory()
    let file = try generatedEventFile(options, events: events, span: span, segd: segd, work: work)

    let id = getpid()
    let (daemonSub, daemonPublish, bareBind): (String, String, String) = transport == "ipc"
        ? ("ipc://\(work)/in-\(id).ipc", "ipc://\(work)/out-\(id).ipc", "ipc://\(work)/bare-\(id).ipc")
        : ("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*")
    let daemon = try DaemonProcess(segd: segd, baseConfig: Paths.defaultConfig, subBind: daemonSub, publishBind: daemonPublish,
        extraSegments: Sentinel.segment, workDirectory: work)

    let bare = try ChildRole(["bare-sub", "--bind", bareBind])
    guard let endpointLine = bare.output.nextLine(), endpointLine.hasPrefix("ENDPOINT ") else {
        _ = daemon.stop()
        throw UsageError(description: "bare subscriber did not start")
    }
    let bareEndpoint = String(endpointLine.dropFirst("ENDPOINT ".count))

    // segd's CPU time from before the publisher starts until the sentinel's alert has come out.
    let daemonCPUBefore = ThreadCPU(pid: daemon.pid)
    let publisher = try ChildRole([
        "publish", "--file", file, "--connect", "\(daemon.subEndpoint),\(bareEndpoint)", "--monitor", daemon.publishEndpoint, "--subscriptions", "6",
    ])
    let publisherResult = try jsonObject(publisher.lastLine(startingWith: "{"))
    publisher.process.waitUntilExit()
    let bareResult = try jsonObject(bare.lastLine(startingWith: "{"))
    bare.process.waitUntilExit()
    let daemonRSS = procStatusKilobytes(daemon.pid)
    let daemonCPU = ThreadCPU(pid: daemon.pid).since(daemonCPUBefore)
    let processed = daemon.stop()

    let sent = publisherResult["sent"] as! Int
    let start = (publisherResult["start_ns"] as! NSNumber).uint64Value
    let sentAt = (publisherResult["sent_ns"] as! NSNumber).uint64Value
    let alertAt = (publisherResult["alert_ns"] as? NSNumber)?.uint64Value
    let bareReceived = bareResult["received"] as! Int
    let bareLast = (bareResult["last_ns"] as! NSNumber).uint64Value
    let bareSentinel = bareResult["sentinel"] as! Bool
    let publisherCPU = (publisherResult["cpu_s"] as! NSNumber).doubleValue / (Double(sent) / 1e6)
    let bareCPU = (bareResult["cpu_s"] as! NSNumber).doubleValue / (Double(max(bareReceived, 1)) / 1e6)

    let publishRate = Double(sent) * 1e9 / Double(sentAt - start)
    let bareRate = Double(bareReceived) * 1e9 / Double(bareLast - start)
    let segdRate = alertAt.map { Double(processed ?? 0) * 1e9 / Double($0 - start) }
    let segdLoss = processed.map { sent - $0 }
    let bareLoss = sent - bareReceived
    // What the goal leaves segd: every core busy for as long as a million events take at 0.8 of
    // the bare rate, less what the publisher and the bare subscriber use of them. An upper
    // bound: the machine's other load takes its share too.
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let goalSeconds = 1e6 / (0.8 * bareRate)
    let segdBudget = Double(cores) * goalSeconds - publisherCPU - bareCPU
    print("""
        e2e over \(transport): \(sent) messages (\(events) events over \(span) of event time + sentinel) from one publisher process
          publisher sent        \(formatRate(publishRate)) (\(String(format: "%.2f", Double(sentAt - start) / 1e9)) s)
          bare libzmq SUB       \(formatRate(bareRate)) received \(bareReceived), lost \(bareLoss)\(bareSentinel ? "" : " (sentinel not seen: stopped on 30 s silence)")
          segd                  \(segdRate.map(formatRate) ?? "n/a (sentinel alert not seen)") processed \(processed.map(String.init) ?? "?"), lost \(segdLoss.map(String.init) ?? "?")
          ratio segd / bare     \(segdRate.map { String(format: "%.2f", $0 / bareRate) } ?? "n/a")
          segd VmHWM            \(daemonRSS["VmHWM"].map { "\($0 / 1024) MiB" } ?? "?") (its queues hold what it has not processed yet)
          segd CPU-s per 1 M    \(ThreadCPU.describe(daemonCPU, per: Double(processed ?? sent) / 1e6))
          publisher, bare SUB   \(String(format: "%.2f and %.2f", publisherCPU, bareCPU)) CPU-s per 1 M (every thread; the publisher sends to both)
          ratio 0.8 leaves segd \(String(format: "%.2f", segdBudget)) CPU-s per 1 M at most (\(cores) cores × \(String(format: "%.2f", goalSeconds)) s, less the publisher's and the bare SUB's)
        """)
    recordResult("{\"benchmark\":\"e2e\",\"transport\":\"\(transport)\",\"span\":\"\(span)\",\"sent\":\(sent),\"publisher_per_s\":\(Int(publishRate)),"
        + "\"bare_per_s\":\(Int(bareRate)),\"bare_received\":\(bareReceived),\"bare_lost\":\(bareLoss),"
        + "\"segd_per_s\":\(segdRate.map { String(Int($0)) } ?? "null"),\"segd_processed\":\(processed.map(String.init) ?? "null"),"
        + "\"segd_lost\":\(segdLoss.map(String.init) ?? "null"),\"ratio\":\(segdRate.map { String(format: "%.3f", $0 / bareRate) } ?? "null"),"
        + "\"segd_cpu_s\":\(ThreadCPU.json(daemonCPU)),\"publisher_cpu_s_per_m\":\(String(format: "%.3f", publisherCPU)),"
        + "\"bare_cpu_s_per_m\":\(String(format: "%.3f", bareCPU)),\"segd_budget_cpu_s_per_m\":\(String(format: "%.3f", segdBudget))}")
}
