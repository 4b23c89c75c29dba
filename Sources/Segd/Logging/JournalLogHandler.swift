import Foundation
public import Logging
import SegdCore

/// Log lines on standard error in the form journald understands: under systemd (`JOURNAL_STREAM`
/// set) each line starts with a syslog priority `<N>` so `journalctl -p warning` filters them, and
/// carries no timestamp (journald adds its own); on a terminal, lines carry an RFC 3339 time.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let underJournal: Bool

    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
        underJournal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
    }

    /// Installs the handler for every logger of the process, at `level`.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        let rendered = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        var line = underJournal ? "<\(Self.syslogPriority(event.level))>" : "\(Self.timestamp()) \(event.level) "
        line += "\(label): \(event.message)"
        if !rendered.isEmpty { line += " \(rendered)" }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return TimestampFormat.rfc3339(Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000)
    }
}
