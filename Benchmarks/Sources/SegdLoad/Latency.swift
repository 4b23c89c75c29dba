import Foundation
import Glibc
import Histogram
import Synchronization
import ZeroMQ

/// Publish-to-alert latency at a fixed offered rate.
///
/// The daemon runs the default config plus one segment, `ordered_today` (`orders_24h >= 1`). Latency
/// is measured on probes: orders from customers never seen before, each of which causes exactly one
/// `segment.ordered_today.enter` alert carrying its event id. With `--mix generated` (the default)
/// every `--probe-every`-th event (10) is a probe and the others are `segd generate`'s stream (80 %
/// clicks, 15 % orders, 5 % reviews from 100,000 customers), so the daemon works on the usual mix;
/// with `--mix fresh-orders` every event is a probe, the costliest stream there is: every event a
/// new customer, four alerts and growing state.
///
/// A sender thread publishes at the offered rate — bursts of `burst` events on a fixed schedule (by
/// default one burst every 100 µs: 10 events at 100k/s, 2 at 20k/s; absolute-time sleeps) — with
/// `ts` = the wall-clock time of publishing; a receiver thread in the same process subscribes to
/// the probes' alerts. Latency is alert receipt minus the probe's send time, both on the monotonic
/// clock, for probes after a one-second warm-up, recorded in an HDR histogram (microsecond
/// resolution, 3 significant digits).
func runLatency(_ options: Options) throws {
    let rate = try options.int("rate", default: 100_000)
    let seconds = try options.int("seconds", default: 10)
    let burst = try options.int("burst", default: max(1, rate / 10_000))
    let segd = try options.string("segd", default: Paths.segdBinary)
    let work = try Paths.workDirectory()
    let mix = try options.string("mix", default: "generated")
    guard mix == "generated" || mix == "fresh-orders" else { throw UsageError(description: "--mix is generated or fresh-orders, not \(mix)") }
    let probeEvery = mix == "generated" ? try options.int("probe-every", default: 10) : 1
    let total = rate * seconds
    let probes = (total + probeEvery - 1) / probeEvery
    let warmup = (rate + probeEvery - 1) / probeEvery
    // The generated events to send between probes, their `ts` values replaced at sending.
    let background = mix == "generated" ? try TimestampedEvents(path: generatedEventFile(options, events: total, segd: segd, work: work)) : nil
    let extra = """

        [[segment]]
        name = "ordered_today"
        description = "Benchmark only: any order in the last 24 hours, so every fresh customer's order alerts."
        rule = "orders_24h >= 1"

        """
    // Snapshots are off (1h) unless asked for: a run with `--snapshot-interval 2s` shows what the
    // background snapshot's copy on write costs the loop. The journal's fsync policy is the
    // config's unless `--fsync` names another, to show what durability costs the tail.
    let fsync = options.optionalString("fsync")
    let targetName = try options.string("target", default: "segd")
    let target: any LatencyTarget
    switch targetName {
    case "segd":
        target = try DaemonProcess(
            segd: segd, baseConfig: Paths.defaultConfig, subBind: "tcp://127.0.0.1:*", publishBind: "tcp://127.0.0.1:*",
            extraSegments: extra, workDirectory: work, snapshotInterval: try options.string("snapshot-interval", default: "1h"), fsync: fsync)
    case "relay":
        target = try RelayProcess()
    default:
        throw UsageError(description: "--target is segd or relay, not \(targetName)")
    }
    let context = try ZMQContext()

    let sendTimes = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: probes)
    let receiveTimes = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: probes)
    sendTimes.initialize(repeating: 0)
    receiveTimes.initialize(repeating: 0)
    defer { sendTimes.deallocate(); receiveTimes.deallocate() }
    nonisolated(unsafe) let sends = sendTimes
    nonisolated(unsafe) let receives = receiveTimes
    let flags = LatencyFlags()
    let run = getpid()

    // Receiver: counts probe alerts until told the measurement started, then records receipt times.
    let publishEndpoint = target.publishEndpoint
    let receiver = Thread {
        do {
            let socket = try context.makeSocket(.sub)
            try socket.setReceiveHighWaterMark(0)
            try socket.subscribe("segment.ordered_today.enter")
            try socket.connect(publishEndpoint)
            try socket.setReceiveTimeout(200)
            var frames = ZMQFrameSet(capacity: 2)
            let marker = Array("\"event_id\":\"".utf8)
            var idleSinceDone = 0
            while true {
                guard try socket.receive(into: &frames) else {
                    if flags.senderDone.load(ordering: .acquiring) {
                        idleSinceDone += 1
                        if idleSinceDone >= 10 || flags.receivedCount.load(ordering: .relaxed) == probes { break }
                    }
                    continue
                }
                let now = monotonicNanoseconds()
                guard frames.count == 2 else { continue }
                let index: Int? = frames.withFrame(1) { json in
                    json.withMemoryRebound(to: UInt8.self) { bytes in
                        guard var position = endOfFirst(marker, in: bytes) else { return nil }
                        if bytes[position] == UInt8(ascii: "p") { return -1 } // a readiness probe
                        // A generated event's order also enters the segment: not a measured probe.
                        guard bytes.count - position > 4, bytes[position] == UInt8(ascii: "l") else { return nil }
                        position += 4 // "lat-"
                        var value = 0
                        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                            value = value * 10 + Int(bytes[position] - 0x30)
                            position += 1
                        }
                        return value
                    }
                }
                if index == -1 {
                    flags.receiverReady.store(true, ordering: .releasing)
                } else if let index, index < probes {
                    receives[index] = now
                    flags.receivedCount.add(1, ordering: .relaxed)
                    if flags.receivedCount.load(ordering: .relaxed) == probes, flags.senderDone.load(ordering: .acquiring) { break }
                }
            }
            socket.close()
        } catch {
            FileHandle.standardError.write(Data("receiver: \(error)\n".utf8))
        }
    }
    receiver.start()

    // Sender (this thread).
    let publisher = try context.makeSocket(.xpub)
    try publisher.setXPubVerbose(true)
    try publisher.setSendHighWaterMark(10_000_000)
    try publisher.connect(target.subEndpoint)
    try publisher.setReceiveTimeout(20_000)
    var subscriptions = 0
    while subscriptions < 3 {
        guard let message = try publisher.receiveMultipart() else { throw UsageError(description: "daemon did not subscribe") }
        if message.first?.first == 1 { subscriptions += 1 }
    }
    var payload: [UInt8] = []
    payload.reserveCapacity(256)
    func event(_ id: String, customer: String) -> [UInt8] {
        Array("{\"event_id\":\"\(id)\",\"customer_id\":\"\(customer)\",\"ts\":\(wallMilliseconds()),\"amount\":1999,\"currency\":\"USD\"}".utf8)
    }
    // Probe until an alert comes back: the receiver's subscription has then reached the daemon.
    var probe = 0
    while !flags.receiverReady.load(ordering: .acquiring) {
        try publisher.send("orders", event("probe-\(run)-\(probe)", customer: "probe-\(run)-\(probe)"))
        probe += 1
        guard probe < 500 else { throw UsageError(description: "no alert came back for 500 probes") }
        usleep(10_000)
    }

    // Timer slack 1 ns (default 50 µs) so the 100 µs schedule is kept; the sender is the main thread.
    try? "1".write(toFile: "/proc/self/timerslack_ns", atomically: false, encoding: .utf8)
    let tick = UInt64(burst) * 1_000_000_000 / UInt64(rate)
    let start = monotonicNanoseconds() + 1_000_000
    let prefix = Array("{\"event_id\":\"lat-".utf8)
    let customerPrefix = Array("\",\"customer_id\":\"lat-\(run)-".utf8)
    let tsPart = Array("\",\"ts\":".utf8)
    let tail = Array(",\"amount\":1999,\"currency\":\"USD\"}".utf8)
    // CPU time from the first tick to the last burst: the target's threads, and the whole machine's load.
    let targetCPUBefore = ThreadCPU(pid: target.pid)
    let machineBefore = MachineCPU()
    var index = 0
    var sentBackground = 0
    var tickNumber: UInt64 = 0
    while index < total {
        var due = timespec(tv_sec: Int(( start + tickNumber * tick) / 1_000_000_000), tv_nsec: Int((start + tickNumber * tick) % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, nil) == EINTR {}
        tickNumber += 1
        let wall = wallMilliseconds()
        for _ in 0..<burst where index < total {
            payload.removeAll(keepingCapacity: true)
            if index % probeEvery == 0 {
                let probe = index / probeEvery
                payload.append(contentsOf: prefix)
                appendDecimal(probe, to: &payload)
                payload.append(contentsOf: customerPrefix)
                appendDecimal(probe, to: &payload)
                payload.append(contentsOf: tsPart)
                appendDecimal(Int(wall), to: &payload)
                payload.append(contentsOf: tail)
                sends[probe] = monotonicNanoseconds()
                try publisher.send("orders", payload)
            } else if let background {
                let topic = background.write(sentBackground % background.count, at: wall, into: &payload)
                sentBackground += 1
                try publisher.send(topic, payload)
            }
            index += 1
        }
    }
    let sendEnd = monotonicNanoseconds()
    let targetCPU = ThreadCPU(pid: target.pid).since(targetCPUBefore)
    let machineBusy = MachineCPU().busyFraction(since: machineBefore)
    flags.senderDone.store(true, ordering: .releasing)
    while !receiver.isFinished { usleep(50_000) }
    publisher.close()
    let processed = target.stop()

    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    var lost = 0
    for i in warmup..<probes {
        if receives[i] == 0 { lost += 1; continue }
        _ = histogram.record((receives[i] - sends[i]) / 1_000)
    }
    let lostAll = (0..<probes).reduce(0) { $0 + (receives[$1] == 0 ? 1 : 0) }
    // Per probe, its send and alert receipt times (monotonic ns, 0 when missing): when the slow
    // probes fall tells a periodic stall (the journal's fsync) from one at a fixed point of the
    // stream (a table doubling).
    if let path = options.optionalString("probe-times") {
        var text = ""
        for i in 0..<probes { text += "\(sends[i]) \(receives[i])\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    let offered = Double(total) * 1e9 / Double(sendEnd - sends[0])
    let stream = mix == "generated" ? "1 in \(probeEvery) a fresh-customer order (the probes), the rest segd generate's mix" : "every event a fresh-customer order"
    let p = { (q: Double) in histogram.valueAtPercentile(q) }
    print("""
        latency publish → alert at \(rate) events/s offered (\(formatRate(offered)) achieved, bursts of \(burst)), \(total) events: \(stream); \(targetName == "relay" ? "a bare libzmq relay in segd's place" : "journal fsync \(fsync ?? "as configured")")
          \(probes) probes, the first \(warmup) as warm-up:
          p50 \(p(50)) µs   p90 \(p(90)) µs   p99 \(p(99)) µs   p99.9 \(p(99.9)) µs   max \(histogram.max) µs   mean \(String(format: "%.1f", histogram.mean)) µs
          alerts missing: \(lostAll) of \(probes) (\(lost) after warm-up); \(targetName) processed \(processed.map(String.init) ?? "?") (incl. \(probe) probes)
          \(targetName) CPU, cores: \(ThreadCPU.describe(targetCPU, per: Double(sendEnd - start) / 1e9)); the machine \(String(format: "%.0f", machineBusy * 100)) % busy (\(ProcessInfo.processInfo.activeProcessorCount) cores)
        """)
    recordResult("{\"benchmark\":\"latency\",\"target\":\"\(targetName)\",\"mix\":\"\(mix)\",\"probes\":\(probes),\"rate\":\(rate),\"achieved\":\(Int(offered)),\"events\":\(total),\"fsync\":\"\(fsync ?? "config")\",\"p50_us\":\(p(50)),\"p90_us\":\(p(90)),"
        + "\"p99_us\":\(p(99)),\"p999_us\":\(p(99.9)),\"max_us\":\(histogram.max),\"missing\":\(lostAll),"
        + "\"cpu_s\":\(ThreadCPU.json(targetCPU)),\"machine_busy\":\(String(format: "%.2f", machineBusy))}")
}

func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
    if value >= 10 { appendDecimal(value / 10, to: &bytes) }
    bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
}

/// What the sender and receiver threads tell each other.
final class LatencyFlags: Sendable {
    let receiverReady = Atomic(false)
    let senderDone = Atomic(false)
    let receivedCount = Atomic(0)
}

/// The position just past the first occurrence of `marker` in `bytes`, if any. A plain loop over
/// concrete types: Foundation's generic `firstRange(of:)` allocated and dispatched per byte, and
/// at 100k alerts/s the receiver spent a third of a core in it, taken from the daemon it measures.
private func endOfFirst(_ marker: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    marker.withUnsafeBufferPointer { marker in
        guard let first = marker.first, bytes.count >= marker.count else { return nil }
        var start = 0
        while start <= bytes.count - marker.count {
            if bytes[start] == first {
                var matched = 1
                while matched < marker.count, bytes[start + matched] == marker[matched] { matched += 1 }
                if matched == marker.count { return start + marker.count }
            }
            start += 1
        }
        return nil
    }
}

/// A generated event file whose `ts` values are replaced when sent: per event, its topic and its
/// payload split around the digits of `ts`.
struct TimestampedEvents {
    private let file: EventFile
    /// Per event: where the digits of its `ts` start and end.
    private let timestamps: [(start: Int, end: Int)]

    init(path: String) throws {
        let file = try EventFile(path: path)
        let marker = Array("\"ts\":".utf8)
        self.file = file
        timestamps = try file.bytes.withUnsafeBufferPointer { bytes in
            try file.bounds.map { line in
                let payload = UnsafeBufferPointer(rebasing: bytes[line.payload..<line.end])
                guard let digits = endOfFirst(marker, in: payload) else { throw UsageError(description: "an event without \"ts\": in \(path)") }
                var end = digits
                while end < payload.count, payload[end] >= 0x30, payload[end] <= 0x39 { end += 1 }
                return (line.payload + digits, line.payload + end)
            }
        }
    }

    var count: Int { file.bounds.count }

    /// Writes event `index`'s payload with `ts` = `time` into `payload`; returns its topic.
    func write(_ index: Int, at time: Int64, into payload: inout [UInt8]) -> ArraySlice<UInt8> {
        let line = file.bounds[index]
        payload.append(contentsOf: file.bytes[line.payload..<timestamps[index].start])
        appendDecimal(Int(time), to: &payload)
        payload.append(contentsOf: file.bytes[timestamps[index].end..<line.end])
        return file.bytes[line.topic..<(line.payload - 1)]
    }
}
