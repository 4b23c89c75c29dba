import ArgumentParser
import Segd
import SegdCore

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic file of synthetic events (topic<TAB>json per line) for replay and benchmarks.")

    @Option(help: "How many events.")
    var events = 100_000

    @Option(help: "How many distinct customers (drawn with a Zipf-like skew).")
    var customers = 10_000

    @Option(help: "The random seed; the same seed gives the same file.")
    var seed: UInt64 = 1

    @Option(help: "Event time of the first event (RFC 3339 UTC or epoch milliseconds).")
    var start = "2026-01-01T00:00:00Z"

    @Option(help: "Event-time span the events cover, e.g. 90d or 12h.")
    var span = "90d"

    @Option(name: .shortAndLong, help: "Output file; - for standard output.")
    var output = "-"

    func run() throws {
        guard let startTime = EventTimeText.parse(start) else {
            throw ValidationError("--start: expected an RFC 3339 UTC time or epoch milliseconds, got \"\(start)\"")
        }
        guard let spanMilliseconds = EventTimeText.parseDuration(span), spanMilliseconds > 0 else {
            throw ValidationError("--span: expected a duration such as 90d, 12h or 30m, got \"\(span)\"")
        }
        guard events > 0, customers > 0 else { throw ValidationError("--events and --customers must be positive") }
        try EventFileGenerator.write(
            events: events, customers: customers, seed: seed, start: startTime, span: spanMilliseconds, to: output)
    }
}
