import ArgumentParser
import Segd

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one event (or a file of events) to a running daemon's PULL endpoint.",
        discussion: """
            Example: segd send orders '{"event_id":"o-1","customer_id":"c-1","ts":"2026-11-24T12:00:00Z","amount":2999,"currency":"USD"}'
            """)

    @Option(help: "The daemon's PULL endpoint.")
    var endpoint = "tcp://127.0.0.1:7402"

    @Option(help: "Send every line (topic<TAB>json) of this file instead; - for standard input.")
    var file: String?

    @Argument(help: "The topic: clicks, orders or reviews (optionally with a .suffix).")
    var topic: String?

    @Argument(help: "The event as JSON.")
    var json: String?

    func validate() throws {
        if file == nil, topic == nil || json == nil {
            throw ValidationError("give TOPIC and JSON, or --file EVENTS")
        }
    }

    func run() throws {
        let sender = try EventSender(endpoint: endpoint)
        defer { sender.close() }
        do {
            if let file {
                let count = try sender.sendFile(file)
                printError("segd send: \(count) messages sent to \(endpoint)")
            } else if let topic, let json {
                try sender.send(topic: topic, json: json)
            }
        } catch {
            printError("segd send: \(error)")
            throw ExitCode.failure
        }
    }
}
