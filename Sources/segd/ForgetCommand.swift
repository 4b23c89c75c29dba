import ArgumentParser
import Segd

struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase a customer from the running daemon: memory, snapshots and journal (a privacy request).",
        discussion: """
            The daemon publishes segment.<name>.exit (cause "forget") for each segment the customer was in, then writes \
            a snapshot that replaces every older one and the journal before it, and answers only when that is on disk. \
            It talks to the daemon's admin listener ([admin] in the configuration).
            """)

    @OptionGroup var options: ConfigOption

    @Option(help: "The admin listener as HOST:PORT, when not the one in the configuration (e.g. it says port 0).")
    var admin: String?

    @Argument(help: "The customer_id to erase.")
    var customerID: String

    func run() throws {
        let (host, port) = try listener()
        let path = "/v1/customers/" + PercentEncoding.pathSegment(customerID)
        do {
            let reply = try AdminClient.request(host: host, port: port, method: "DELETE", path: path, timeoutSeconds: 60)
            switch reply.status {
            case 200: print(reply.body)
            case 404:
                printError("segd forget: no customer \"\(customerID)\" is known to the daemon")
                throw ExitCode.failure
            default:
                printError("segd forget: the daemon answered \(reply.status): \(reply.body)")
                throw ExitCode.failure
            }
        } catch let failure as AdminClient.Failure {
            printError("segd forget: \(failure)")
            throw ExitCode.failure
        }
    }

    /// `--admin`, else the configuration's `[admin]`.
    private func listener() throws -> (host: String, port: Int) {
        if let admin {
            guard let colon = admin.lastIndex(of: ":"), let port = Int(admin[admin.index(after: colon)...]), port > 0 else {
                throw ValidationError("--admin: expected HOST:PORT, got \"\(admin)\"")
            }
            return (String(admin[..<colon]).trimmingCharacters(in: ["[", "]"]), port)
        }
        let configuration = try loadConfiguration(options.config)
        guard configuration.admin.enabled, configuration.admin.port > 0 else {
            printError("segd forget: \(configuration.file) has no fixed admin port ([admin] disabled or port 0); give --admin HOST:PORT")
            throw ExitCode.failure
        }
        return (configuration.admin.host, configuration.admin.port)
    }
}
