import ArgumentParser
import Segd

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Work with state snapshots.",
        subcommands: [SnapshotInspectCommand.self])
}

struct SnapshotInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Verify a snapshot file and print what it holds; exit 1 if it is damaged.")

    @Argument(help: "The snapshot file (snapshot-<journal sequence>.snap in the state directory).")
    var file: String

    @Flag(help: "Print every customer's profile, features and segments as JSON lines instead.")
    var customers = false

    func run() throws {
        do {
            let report = try SnapshotReport(path: file)
            if customers {
                try ProfileFile.write(report.engine, to: "-")
            } else {
                print(report.text)
            }
        } catch {
            printError("segd snapshot inspect: \(error)")
            throw ExitCode.failure
        }
    }
}
