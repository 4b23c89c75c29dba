import Foundation
public import Logging
public import SegdCore
import TOMLKit

/// The daemon's whole configuration, read from one TOML file (see `docs/configuration.md` for
/// every key and its default). Loading validates everything — endpoints, sizes, durations, windows
/// and every segment rule, compiled — so a daemon that starts has a config that works, and one that
/// does not start says which file, line and key to fix.
public struct SegdConfiguration: Sendable {
    /// Where events come in.
    public struct Ingest: Sendable, Equatable {
        /// Endpoints the SUB socket binds; producers connect their PUB sockets here.
        public var subBind: [String] = ["tcp://127.0.0.1:7401"]
        /// Producer PUB endpoints the SUB socket connects to.
        public var subConnect: [String] = []
        /// Topic prefixes subscribed to.
        public var topics: [String] = ["clicks", "orders", "reviews"]
        /// Endpoints the PULL socket binds, for producers that must not lose events (PUSH blocks at
        /// the high-water mark instead of dropping).
        public var pullBind: [String] = ["tcp://127.0.0.1:7402"]
        /// Largest accepted JSON frame; larger ones are dead-lettered as `oversized`.
        public var maxMessageBytes = 65_536
        /// What `max_message_bytes` may be set to.
        static let maxMessageBytesRange = 64...16_777_216
        public var receiveHighWaterMark = 100_000
        /// Most messages taken from the sockets before outbound messages are flushed.
        public var batchSize = 512
    }

    /// Where alerts go out.
    public struct Publish: Sendable, Equatable {
        public var bind: [String] = ["tcp://127.0.0.1:7403"]
        public var sendHighWaterMark = 100_000
        public var deadLetterPayloadBytes = 4_096
    }

    /// The HTTP admin listener: metrics, health, readiness and lookups.
    public struct Admin: Sendable, Equatable {
        public var enabled = true
        /// Loopback by default: the endpoints expose customer profiles.
        public var host = "127.0.0.1"
        /// 0 picks a free port (logged at start).
        public var port = 7404
    }

    public var ingest = Ingest()
    public var admin = Admin()
    public var publish = Publish()
    public var engine = EngineConfiguration()
    public var durability = Durability()
    /// How often, with no traffic, the engine clock is advanced to the wall clock minus the
    /// allowed lateness, so timers fire although no event arrives.
    public var idleAdvanceMilliseconds: Int64 = 1_000
    public var logLevel: Logger.Level = .info
    /// The file this was read from, for messages.
    public var file: String = "<defaults>"

    public init() {}

    /// `[engine] dedup_max_ids`: a billion ids is 40 to 72 GB.
    public static let dedupCapacityRange = 1...1_000_000_000

    /// Reads and validates `path`; `environment` (the process's own when nil) supplies systemd's
    /// `$STATE_DIRECTORY`.
    public static func load(path: String, environment: [String: String]? = nil) throws(ConfigError) -> SegdConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", message: "cannot read the config file: \(error.localizedDescription)")
        }
        return try parse(text, file: path, environment: environment)
    }

    /// Parses and validates TOML `text`; `file` names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: String, environment: [String: String]? = nil) throws(ConfigError) -> SegdConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, column: error.source.begin.column, key: "", message: "TOML syntax: \(error.description)")
        } catch {
            throw ConfigError(file: file, key: "", message: "TOML syntax: \(error)")
        }
        var root = ConfigReader(file: file, table: table, path: "", locator: TOMLKeyLocator(source: text))
        var config = SegdConfiguration()
        config.file = file
        try config.readIngest(try root.table("ingest"))
        try config.readPublish(try root.table("publish"))
        try config.readAdmin(try root.table("admin"))
        try config.readEngine(try root.table("engine"))
        try config.readLog(try root.table("log"))
        try config.readDurability(try root.table("durability"), environment: environment ?? ProcessInfo.processInfo.environment)
        try config.readChurn(try root.table("churn"), present: root.has("churn"))
        try config.readSegments(try root.tableArray("segment"))
        try root.finish()
        return config
    }

    /// The names of settings that differ from `other` and take effect only at a restart: a
    /// reload applies segments and the log level and keeps these as they are.
    public func restartOnlyDifferences(from other: SegdConfiguration) -> [String] {
        var differences: [String] = []
        if ingest != other.ingest { differences.append("[ingest]") }
        if publish != other.publish { differences.append("[publish]") }
        if admin != other.admin { differences.append("[admin]") }
        if durability != other.durability { differences.append("[durability]") }
        differences += engine.settingDifferences(from: other.engine)
        if idleAdvanceMilliseconds != other.idleAdvanceMilliseconds { differences.append("engine.idle_advance") }
        return differences
    }

    private mutating func readIngest(_ reader: ConfigReader) throws(ConfigError) {
        var reader = reader
        ingest.subBind = try Self.endpoints(&reader, "sub_bind", default: ingest.subBind)
        ingest.subConnect = try Self.endpoints(&reader, "sub_connect", default: ingest.subConnect)
        ingest.pullBind = try Self.endpoints(&reader, "pull_bind", default: ingest.pullBind)
        ingest.topics = try reader.stringArray("topics", default: ingest.topics)
        for topic in ingest.topics where !EventKind.allCases.contains(where: { topic == $0.topic || topic.hasPrefix($0.topic + ".") }) {
            throw reader.error("topics", "\"\(topic)\" is not an event topic: expected clicks, orders or reviews, optionally with a .suffix")
        }
        if ingest.subBind.isEmpty, ingest.subConnect.isEmpty, ingest.pullBind.isEmpty {
            throw reader.error("sub_bind", "no inbound endpoint: set at least one of sub_bind, sub_connect or pull_bind")
        }
        ingest.maxMessageBytes = try reader.integer("max_message_bytes", default: ingest.maxMessageBytes, in: Ingest.maxMessageBytesRange)
        ingest.receiveHighWaterMark = try reader.integer("receive_hwm", default: ingest.receiveHighWaterMark, in: 0...10_000_000)
        ingest.batchSize = try reader.integer("batch_size", default: ingest.batchSize, in: 1...65_536)
        try reader.finish()
    }

    private mutating func readPublish(_ reader: ConfigReader) throws(ConfigError) {
        var reader = reader
        publish.bind = try Self.endpoints(&reader, "bind", default: publish.bind)
        if publish.bind.isEmpty { throw reader.error("bind", "at least one endpoint is needed to publish alerts") }
        publish.sendHighWaterMark = try reader.integer("send_hwm", default: publish.sendHighWaterMark, in: 0...10_000_000)
        publish.deadLetterPayloadBytes = try reader.integer("deadletter_payload_bytes", default: publish.deadLetterPayloadBytes, in: 0...1_048_576)
        try reader.finish()
    }

    private mutating func readAdmin(_ reader: ConfigReader) throws(ConfigError) {
        var reader = reader
        admin.enabled = try reader.bool("enabled", default: admin.enabled)
        admin.host = try reader.string("host", default: admin.host)
        if admin.host.isEmpty { throw reader.error("host", "expected an address such as \"127.0.0.1\" or \"::1\"") }
        admin.port = try reader.integer("port", default: admin.port, in: 0...65_535)
        try reader.finish()
    }

    private mutating func readEngine(_ reader: ConfigReader) throws(ConfigError) {
        var reader = reader
        let currency = try reader.string("currency", default: engine.currency.description)
        guard let code = CurrencyCode(currency) else {
            throw reader.error("currency", "expected an ISO 4217 code of three capital letters such as \"USD\", got \"\(currency)\"")
        }
        engine.currency = code
        engine.minorUnitsPerMajor = try reader.integer("minor_units", default: engine.minorUnitsPerMajor, in: 1...1_000_000)
        let windowTexts = try reader.stringArray("windows", default: engine.windows.map(\.description))
        var windows: [WindowSpec] = []
        for text in windowTexts {
            let window: WindowSpec
            do {
                window = try WindowSpec(parsing: text)
            } catch {
                throw reader.error("windows", error.description)
            }
            if windows.contains(window) { throw reader.error("windows", "window \"\(text)\" is listed twice") }
            windows.append(window)
        }
        engine.windows = windows
        engine.allowedLatenessMilliseconds = try reader.duration(
            "allowed_lateness", default: engine.allowedLatenessMilliseconds, in: 0...EventTime.millisecondsPerDay * 7)
        engine.maxFutureSkewMilliseconds = try reader.duration(
            "max_future_skew", default: engine.maxFutureSkewMilliseconds, in: 0...EventTime.millisecondsPerDay * 366)
        engine.dedupHorizonMilliseconds = try reader.duration(
            "dedup_horizon", default: engine.dedupHorizonMilliseconds, in: 0...EventTime.millisecondsPerDay * 30)
        if engine.dedupHorizonMilliseconds > 0, engine.dedupHorizonMilliseconds < engine.allowedLatenessMilliseconds {
            throw reader.error("dedup_horizon", "must be at least allowed_lateness (\(EventTimeText.formatDuration(engine.allowedLatenessMilliseconds))), or a retry arriving within the lateness could be counted twice; \"0s\" turns deduplication off")
        }
        engine.dedupCapacity = try reader.integer("dedup_max_ids", default: engine.dedupCapacity, in: Self.dedupCapacityRange)
        idleAdvanceMilliseconds = try reader.duration("idle_advance", default: idleAdvanceMilliseconds, in: 10...EventTime.millisecondsPerHour)
        try reader.finish()
    }

    private mutating func readLog(_ reader: ConfigReader) throws(ConfigError) {
        var reader = reader
        let level = try reader.string("level", default: logLevel.rawValue)
        guard let parsed = Logger.Level(rawValue: level) else {
            throw reader.error("level", "expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(level)\"")
        }
        logLevel = parsed
        try reader.finish()
    }

    private mutating func readSegments(_ readers: [ConfigReader]) throws(ConfigError) {
        var segments: [EngineConfiguration.Segment] = []
        var rules: [(reader: ConfigReader, segment: EngineConfiguration.Segment)] = []
        for reader in readers {
            var reader = reader
            let name = try reader.string("name")
            guard SegmentDefinition.isValidName(name) else {
                throw reader.error("name", "\"\(name)\" is not a valid segment name: use lower-case letters, digits and _, starting with a letter (it becomes the topic segment.<name>.enter)")
            }
            if segments.contains(where: { $0.name == name }) { throw reader.error("name", "segment \"\(name)\" is defined twice") }
            let family = try reader.optionalString("family")
            if let family, !SegmentDefinition.isValidName(family) {
                throw reader.error("family", "\"\(family)\" is not a valid family name: use lower-case letters, digits and _, starting with a letter")
            }
            if let family, segments.contains(where: { $0.name == family }) {
                throw reader.error("family", "\"\(family)\" is already a segment name; a family needs a name of its own")
            }
            let segment = EngineConfiguration.Segment(
                name: name, description: try reader.string("description", default: ""), rule: try reader.string("rule"), family: family)
            try reader.finish()
            segments.append(segment)
            rules.append((reader, segment))
        }
        engine.segments = segments
        // Compile now so a bad rule stops start-up with its position in the file.
        do {
            let definitions = try SegmentDefinition.compileAll(segments, layout: FeatureLayout(windows: engine.windows, churnHorizons: engine.churn?.horizons))
            _ = try SegmentDefinition.evaluationOrder(definitions)
        } catch {
            let reader = rules[error.segment].reader
            guard let rule = error.rule else { throw reader.error("rule", error.message) }
            let location = reader.valueLocation("rule")
            // A single-line basic string starts one column after its opening quote.
            let line = location.map { $0.line + rule.line - 1 }
            let column = location.flatMap { rule.line == 1 ? $0.valueColumn + rule.column : nil } ?? rule.column
            throw ConfigError(file: file, line: line, column: column, key: reader.qualified("rule"), message: rule.message)
        }
    }

    private static func endpoints(_ reader: inout ConfigReader, _ key: String, default defaultValue: [String]) throws(ConfigError) -> [String] {
        let endpoints = try reader.stringArray(key, default: defaultValue)
        for endpoint in endpoints where !Endpoint.isValid(endpoint) {
            throw reader.error(key, "\"\(endpoint)\" is not a ZeroMQ endpoint: expected tcp://HOST:PORT, ipc://PATH or inproc://NAME")
        }
        return endpoints
    }
}

/// ZeroMQ endpoint syntax, checked before any socket is made so the error points at the config.
extension EngineConfiguration {
    /// The config keys, other than `[[segment]]`, whose values differ from `other`'s: the
    /// settings a reload cannot change and a saved state cannot be continued under.
    public func settingDifferences(from other: EngineConfiguration) -> [String] {
        var differences: [String] = []
        if windows != other.windows { differences.append("engine.windows") }
        if currency != other.currency { differences.append("engine.currency") }
        if minorUnitsPerMajor != other.minorUnitsPerMajor { differences.append("engine.minor_units") }
        if allowedLatenessMilliseconds != other.allowedLatenessMilliseconds { differences.append("engine.allowed_lateness") }
        if maxFutureSkewMilliseconds != other.maxFutureSkewMilliseconds { differences.append("engine.max_future_skew") }
        if dedupHorizonMilliseconds != other.dedupHorizonMilliseconds { differences.append("engine.dedup_horizon") }
        if churn != other.churn { differences.append("[churn]") }
        return differences
    }
}

enum Endpoint {
    static func isValid(_ endpoint: String) -> Bool {
        for scheme in ["ipc://", "inproc://"] where endpoint.hasPrefix(scheme) {
            return endpoint.count > scheme.count
        }
        guard endpoint.hasPrefix("tcp://") else { return false }
        let address = endpoint.dropFirst("tcp://".count)
        guard let colon = address.lastIndex(of: ":") else { return false }
        let host = address[..<colon]
        let port = address[address.index(after: colon)...]
        return !host.isEmpty && (port == "*" || (UInt16(port).map { $0 > 0 } ?? false))
    }
}
