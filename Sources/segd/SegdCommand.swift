import ArgumentParser
import Segd

@main
struct SegdCommand: AsyncParsableCommand {
    static func main() async {
        MallocTuning.apply()
        await main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "segd",
        abstract: "Real-time customer segmentation daemon: ZeroMQ events in, segment and churn alerts out.",
        subcommands: [
            RunCommand.self, DemoCommand.self, ReplayCommand.self, CheckConfigCommand.self,
            SendCommand.self, TailCommand.self, GenerateCommand.self, ReloadCommand.self, FitCommand.self,
            SnapshotCommand.self, ForgetCommand.self,
        ]
    )
}

/// The `--config` option every command that reads the configuration shares.
struct ConfigOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The configuration file (TOML).")
    var config = "/etc/segd/segd.toml"
}
