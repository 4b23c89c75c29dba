import ArgumentParser
import Segd

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a running daemon's outbound messages (topic<TAB>json per line) as they are published.")

    @Option(help: "The daemon's PUB endpoint.")
    var endpoint = "tcp://127.0.0.1:7403"

    @Option(help: "Exit after this many messages.")
    var count: Int?

    @Option(help: "Exit after this many seconds without a message.")
    var idleTimeout: Double?

    @Argument(help: "Topic prefixes to subscribe to, e.g. segment. or deadletter (default: everything).")
    var prefixes: [String] = []

    func run() throws {
        let tail = try AlertTail(endpoint: endpoint, prefixes: prefixes)
        defer { tail.close() }
        try tail.run(count: count, idleTimeoutMilliseconds: idleTimeout.map { Int($0 * 1_000) }) { topic, json in
            print(String(decoding: topic, as: UTF8.self) + "\t" + String(decoding: json, as: UTF8.self))
            fflushStandardOutput()
            return true
        }
    }
}
