import Foundation
import Glibc
import Synchronization
import ZeroMQ

/// The latency benchmark's floor: a bare libzmq process in segd's place, which receives the same
/// stream on a SUB and publishes every probe straight back on a PUB as if it were its alert. What
/// it measures is the sender, two TCP hops, libzmq's I/O threads and the scheduler of this
/// machine at the offered rate; segd's latency beside it, in the same conditions, is what segd adds.
final class RelayProcess: LatencyTarget {
    private let child: ChildRole
    let subEndpoint: String
    let publishEndpoint: String

    init() throws {
        child = try ChildRole(["relay"])
        guard let line = child.output.nextLine(), line.hasPrefix("ENDPOINTS ") else {
            child.process.terminate()
            throw UsageError(description: "the relay did not start")
        }
        let endpoints = line.split(separator: " ")
        subEndpoint = String(endpoints[1])
        publishEndpoint = String(endpoints[2])
    }

    var pid: Int32 { child.process.processIdentifier }

    /// Sends SIGTERM and returns the messages the relay received, from its last line.
    func stop() -> Int? {
        kill(pid, SIGTERM)
        let last = child.lastLine(startingWith: "RECEIVED ")
        child.process.waitUntilExit()
        guard child.process.terminationStatus == 0, let last else { return nil }
        return Int(last.dropFirst("RECEIVED ".count))
    }
}

private let relayStopRequested = Atomic<Bool>(false)

/// `relay`: binds a SUB (topics clicks, orders and reviews, as segd subscribes) and a PUB on
/// loopback ports of the system's choosing, prints `ENDPOINTS <sub> <pub>`, and republishes each
/// order whose event id is a latency probe's (`lat-…`, `probe-…`) on `segment.ordered_today.enter`,
/// the topic the benchmark's receiver waits on. On SIGTERM prints `RECEIVED <count>` and exits.
func runRelay(_ options: Options) throws {
    signal(SIGTERM) { _ in relayStopRequested.store(true, ordering: .relaxed) }
    let context = try ZMQContext()
    let inbound = try context.makeSocket(.sub)
    try inbound.setReceiveHighWaterMark(10_000_000)
    for topic in ["clicks", "orders", "reviews"] { try inbound.subscribe(topic) }
    let sub = try inbound.bind("tcp://127.0.0.1:*")
    let outbound = try context.makeSocket(.pub)
    try outbound.setSendHighWaterMark(10_000_000)
    let publish = try outbound.bind("tcp://127.0.0.1:*")
    print("ENDPOINTS \(sub) \(publish)")
    fflush(nil)
    // The stop flag is looked at between receives, so a receive must not block for long.
    try inbound.setReceiveTimeout(100)
    let orders = Array("orders".utf8)
    let alertTopic = Array("segment.ordered_today.enter".utf8)
    let probeIDs = [Array("{\"event_id\":\"lat-".utf8), Array("{\"event_id\":\"probe-".utf8)]
    var frames = ZMQFrameSet(capacity: 2)
    var received = 0
    while !relayStopRequested.load(ordering: .relaxed) {
        guard try inbound.receive(into: &frames) else { continue }
        received += 1
        guard frames.count == 2, frames.withFrame(0, { $0.elementsEqual(orders) }) else { continue }
        try frames.withFrame(1) { payload in
            guard probeIDs.contains(where: { payload.starts(with: $0) }) else { return }
            _ = try alertTopic.withUnsafeBytes { topic in try outbound.send(topic, payload) }
        }
    }
    inbound.close()
    outbound.close()
    print("RECEIVED \(received)")
    fflush(nil)
}
