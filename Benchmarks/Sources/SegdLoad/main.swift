import Foundation

// segd-load: measurements of the real `segd` binary from outside (Benchmarks/README.md, 4–7), and
// of its engine in this process where sockets would only add noise (8, 9).
//   e2e      --transport tcp|ipc [--events 1000000] [--span 90d] [--file F] [--segd PATH]
//   latency  [--rate 100000] [--seconds 10] [--burst rate/10000] [--mix generated|fresh-orders]
//            [--snapshot-interval 1h] [--fsync always|interval|none] [--probe-times FILE] [--segd PATH]
//            [--target segd|relay]
//   memory   [--customers 100000,1000000,5000000] [--span-days 90] [--segd PATH] [--config FILE]
//   restart  [--customers 1000000] [--segd PATH] [--config FILE]
//   stalls   [--customers 600000] [--slowest 10] [--config FILE]
//   shards   [--shards 1,2,1,2] [--events 300000] [--passes 4] [--span-ms 3000] [--skew 1.1] [--config FILE]
//   summary  [--after-line N] [--results FILE] [--inprocess FILE]: the run's figures beside the goals
// and the child roles e2e and latency start: publish, bare-sub, relay.
let arguments = CommandLine.arguments
do {
    guard arguments.count >= 2 else { throw UsageError(description: "usage: segd-load e2e|latency|memory|restart|stalls|shards|summary|publish|bare-sub|relay [--option value …]") }
    let options = try Options(arguments.dropFirst(2))
    switch arguments[1] {
    case "e2e": try runEndToEnd(options)
    case "latency": try runLatency(options)
    case "memory": try runMemory(options)
    case "restart": try runRestart(options)
    case "stalls": try runStalls(options)
    case "shards": try runShards(options)
    case "summary": try runSummary(options)
    case "publish": try runPublisher(options)
    case "bare-sub": try runBareSubscriber(options)
    case "relay": try runRelay(options)
    default: throw UsageError(description: "unknown command \(arguments[1])")
    }
} catch {
    FileHandle.standardError.write(Data("segd-load: \(error)\n".utf8))
    exit(1)
}
