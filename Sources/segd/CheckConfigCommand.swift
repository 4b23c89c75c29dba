import ArgumentParser
import Segd

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file without starting; exit 0 when it is valid.")

    @Argument(help: "The configuration file to check.")
    var file: String

    func run() throws {
        do {
            let configuration = try SegdConfiguration.load(path: file)
            print(ConfigurationReport.text(configuration))
        } catch {
            printError("segd: \(error)")
            throw ExitCode(78)  // EX_CONFIG, what systemd and sysexits call a configuration error
        }
    }
}
