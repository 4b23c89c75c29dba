public import Logging
public import ServiceLifecycle
import UnixSignals

/// Reloads the configuration file on SIGHUP (systemd's `ExecReload=kill -HUP $MAINPID`, or
/// `segd reload`): the file is read and validated here, off the loop thread, and a valid one is
/// handed to the loop; an invalid one is logged with its file, line and key and changes nothing.
public struct ReloadOnHangup: Service {
    let loop: IngestLoop
    let path: String
    let logger: Logger

    public init(loop: IngestLoop, path: String, logger: Logger) {
        self.loop = loop
        self.path = path
        self.logger = logger
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            do {
                loop.reload(try SegdConfiguration.load(path: path))
            } catch {
                logger.error("reload refused: the configuration is invalid; the previous one stays in force", metadata: ["error": "\(error)"])
            }
        }
    }
}
