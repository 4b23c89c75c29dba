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
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service), .init(service: ReloadOnHangup(loop: loop, path: options.config, logger: logger)),
        ]
        if configuration.admin.enabled {
            let metrics = loop.ops.metrics
            let admin = AdminServer(
                configuration: .init(host: configuration.admin.host, port: configuration.admin.port), registry: metrics.registry,
                health: loop.ops.health, queries: loop.queries, beforeScrape: { metrics.refreshBeforeScrape() }, logger: logger)
            // First in the group, so it stops last: /readyz answers 503 while the loop drains.
            services.insert(.init(service: admin), at: 0)
            Task {
                guard let port = try? await admin.listeningPort() else { return }
                print("admin:   http://\(configuration.admin.host):\(port)/metrics")
                fflushStandardOutput()
            }
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            printError("segd: \(error)")
            throw ExitCode.failure
        }
    }
}
