import ArgumentParser
import Segd

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make running daemons reload their segment rules, log level and dedup_max_ids (SIGHUP) without losing state.")

    @Option(help: "Signal only this process.")
    var pid: Int32?

    func run() throws {
        do {
            let signalled = try ReloadSignal.send(to: pid)
            printError("segd reload: sent SIGHUP to \(signalled.map(String.init).joined(separator: ", "))")
        } catch {
            printError("segd reload: \(error)")
            throw ExitCode.failure
        }
    }
}
