import ArgumentParser
import Segd
import SegdCore

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the engine over a file of events in event time and print a JSON summary.",
        discussion: """
            The input holds one message per line, topic<TAB>json, as producers send them. Every \
            outbound message is written in the same form with --emit. The run is deterministic: \
            the same config and input print the same summary and emit the same bytes.
            """)

    @OptionGroup var options: ConfigOption

    @Option(name: .shortAndLong, help: "The file of events, topic<TAB>json per line; - for standard input.")
    var input: String

    @Option(help: "Write every outbound message (topic<TAB>json) to this file; - for standard output.")
    var emit: String?

    @Option(help: "After the last event, advance the clock to this event time (RFC 3339 UTC or epoch milliseconds), firing what falls due.")
    var until: String?

    @Option(help: "Write every customer's final features and memberships as JSON lines to this file.")
    var profiles: String?

    func run() throws {
        let configuration = try loadConfiguration(options.config)
        var untilTime: Int64?
        if let until {
            guard let parsed = EventTimeText.parse(until) else {
                throw ValidationError("--until: expected an RFC 3339 UTC time such as 2026-03-01T00:00:00Z or epoch milliseconds, got \"\(until)\"")
            }
            untilTime = parsed
        }
        let summary = try ReplayRunner.run(
            configuration: configuration,
            options: .init(input: input, emit: emit, until: untilTime, profiles: profiles)
        ) { printError("segd replay: \($0)") }
        print(summary)
    }
}

/// Loads the configuration or exits with the error and status 78 (EX_CONFIG).
func loadConfiguration(_ path: String) throws -> SegdConfiguration {
    do {
        return try SegdConfiguration.load(path: path)
    } catch {
        printError("segd: \(error)")
        throw ExitCode(78)
    }
}
