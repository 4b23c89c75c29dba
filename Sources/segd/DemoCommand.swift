import ArgumentParser
import Logging
import Segd

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the daemon with a built-in event generator and subscriber and watch alerts flow.",
        discussion: "Uses the config's segments but ephemeral loopback ports, so it can run beside a real daemon.")

    @Option(name: [.short, .long], help: "The configuration file whose segments to use.")
    var config = "deploy/segd.toml"

    @Option(help: "How long to generate events, in seconds.")
    var seconds = 8

    @Option(help: "Events per second.")
    var rate = 2_000

    @Option(help: "How many distinct shoppers.")
    var customers = 300

    func run() async throws {
        var configuration = try loadConfiguration(config)
        // The demo's events carry the current time, so the idle clock may follow the wall clock.
        configuration.idleAdvanceMilliseconds = min(configuration.idleAdvanceMilliseconds, 1_000)
        JournalLogHandler.bootstrap(level: .warning)
        var options = Demo.Options()
        options.durationMilliseconds = Int64(seconds) * 1_000
        options.eventsPerSecond = rate
        options.customers = customers
        let summary = try await Demo.run(configuration: configuration, options: options, logger: Logger(label: "segd")) { line in
            print(line)
        }
        print("summary:")
        print(summary)
    }
}
