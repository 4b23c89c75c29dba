import ArgumentParser
import Logging
import Segd
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: subscribe to events, keep segments, publish alerts until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try loadConfiguration(options.config)
        JournalLogHandler.bootstrap(level: configuration.logLevel)
        let logger = Logger(label: "segd")
        let loop = try IngestLoop(configuration: configuration, logger: logger)
        let service = SegdService(loop: loop) { endpoints in
            print(StartupBanner.text(configuration, endpoints))
            fflushStandardOutput()
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service), .init(service: ReloadOnHangup(loop: loop, path: options.config, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            printError("segd: \(error)")
            throw ExitCode.failure
        }
    }
}
