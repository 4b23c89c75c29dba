import ArgumentParser
import Segd

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one event (or a file of events) to a running daemon's PULL endpoint.",
        discussion: """
            Example: segd send --now orders '{"event_id":"o-1","customer_id":"c-1","amount":2999,"currency":"USD"}'

            A running daemon refuses an event older than its clock less [engine] allowed_lateness as             late, and its clock follows the wall clock: --now stamps the event with the time it is sent.
            """)

    @Option(help: "The daemon's PULL endpoint.")
    var endpoint = "tcp://127.0.0.1:7402"

    @Option(help: "Send every line (topic<TAB>json) of this file instead; - for standard input.")
    var file: String?

    @Flag(help: "Give the event the current time as its ts (the JSON must not have a ts).")
    var now = false

    @Argument(help: "The topic: clicks, orders or reviews (optionally with a .suffix).")
    var topic: String?

    @Argument(help: "The event as JSON.")
    var json: String?

    func validate() throws {
        if file == nil, topic == nil || json == nil {
            throw ValidationError("give TOPIC and JSON, or --file EVENTS")
        }
        if now, file != nil {
            throw ValidationError("--now stamps one event given as TOPIC JSON, not a file")
        }
    }

    func run() throws {
        var event = json
        if now, let json {
            do {
                event = try CurrentTimeStamp.stampingNow(json)
            } catch {
                printError("segd send: \(error)")
                throw ExitCode.validationFailure
            }
        }
        let sender = try EventSender(endpoint: endpoint)
        defer { sender.close() }
        do {
            if let file {
                let count = try sender.sendFile(file)
                printError("segd send: \(count) messages sent to \(endpoint)")
            } else if let topic, let event {
                try sender.send(topic: topic, json: event)
            }
        } catch {
            printError("segd send: \(error)")
            throw ExitCode.failure
        }
    }
}
