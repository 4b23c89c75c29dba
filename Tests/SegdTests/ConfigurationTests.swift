import Foundation
import Segd
import SegdCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    /// Parses `text` and returns the error it must raise.
    private func error(_ text: String) throws -> ConfigError {
        do {
            _ = try SegdConfiguration.parse(text, file: "test.toml")
        } catch {
            return error
        }
        Issue.record("expected a configuration error")
        throw CancellationError()
    }

    @Test("the shipped default config is valid and has the documented endpoints and segments")
    func defaultConfig() throws {
        let configuration = try SegdConfiguration.load(path: defaultConfigPath)
        #expect(configuration.ingest.subBind == ["tcp://127.0.0.1:7401"])
        #expect(configuration.ingest.pullBind == ["tcp://127.0.0.1:7402"])
        #expect(configuration.publish.bind == ["tcp://127.0.0.1:7403"])
        #expect(configuration.engine.segments.count >= 5)
        #expect(configuration.engine.currency.description == "USD")
    }

    @Test("an empty file gives every default")
    func emptyConfig() throws {
        let configuration = try SegdConfiguration.parse("", file: "empty.toml")
        #expect(configuration.ingest.maxMessageBytes == 65_536)
        #expect(configuration.engine.windows.map(\.description) == ["24h", "7d", "30d", "90d"])
        #expect(configuration.logLevel == .info)
        #expect(configuration.engine.dedupCapacity == 10_000_000)
    }

    @Test("a misspelt key is refused with its file, line and the key it probably meant")
    func unknownKey() throws {
        let failure = try error("""
            [ingest]
            sub_bind = ["tcp://127.0.0.1:7401"]
            max_mesage_bytes = 1000
            """)
        #expect(failure.file == "test.toml")
        #expect(failure.line == 3)
        #expect(failure.key == "ingest.max_mesage_bytes")
        #expect(failure.message.contains("did you mean \"max_message_bytes\""))
        #expect(failure.description.hasPrefix("test.toml:3: ingest.max_mesage_bytes: unknown key"))
    }

    @Test("a rule error points at the line and column inside the file")
    func ruleError() throws {
        let failure = try error("""
            [engine]
            windows = ["7d"]

            [[segment]]
            name = "first"
            rule = "orders_7d >= 1"

            [[segment]]
            name = "second"
            rule = "oders_7d >= 1"
            """)
        #expect(failure.line == 10)
        #expect(failure.column == 9)
        #expect(failure.key == "segment[1].rule")
        #expect(failure.message.contains("did you mean \"orders_7d\""))
    }

    @Test("values of the wrong type or out of range name the key and what would be right")
    func badValues() throws {
        let size = try error("[ingest]\nmax_message_bytes = 10\n")
        #expect(size.line == 2)
        #expect(size.message.contains("64…16777216"))
        let duration = try error("[engine]\nallowed_lateness = \"soon\"\n")
        #expect(duration.key == "engine.allowed_lateness")
        #expect(duration.message.contains("\"5m\""))
        let window = try error("[engine]\nwindows = [\"7d\", \"2w\"]\n")
        #expect(window.message.contains("invalid window \"2w\""))
        let currency = try error("[engine]\ncurrency = \"usd\"\n")
        #expect(currency.message.contains("three capital letters"))
        let endpoint = try error("[publish]\nbind = [\"127.0.0.1:7403\"]\n")
        #expect(endpoint.key == "publish.bind")
        #expect(endpoint.message.contains("tcp://HOST:PORT"))
        for good in ["ipc:///run/segd/in", "inproc://x", "tcp://*:7401", "tcp://127.0.0.1:*", "tcp://[::1]:7401"] {
            #expect(throws: Never.self) { try SegdConfiguration.parse("[publish]\nbind = [\"\(good)\"]\n", file: "t.toml") }
        }
        for bad in ["ipc://", "tcp://127.0.0.1", "tcp://:7401", "tcp://host:0", "udp://x:1"] {
            #expect(throws: ConfigError.self) { try SegdConfiguration.parse("[publish]\nbind = [\"\(bad)\"]\n", file: "t.toml") }
        }
        let capacity = try error("[engine]\ndedup_horizon = \"1h\"\ndedup_max_ids = 0\n")
        #expect(capacity.line == 3)
        #expect(capacity.key == "engine.dedup_max_ids")
        #expect(capacity.message.contains("1…1000000000"))
        #expect(try SegdConfiguration.parse("[engine]\ndedup_max_ids = 5000\n", file: "t.toml").engine.dedupCapacity == 5000)
        let level = try error("[log]\nlevel = \"loud\"\n")
        #expect(level.message.contains("info"))
        let type = try error("[ingest]\ntopics = \"clicks\"\n")
        #expect(type.message.contains("expected an array of strings"))
    }

    @Test("segments must have valid, distinct names and rules without cycles")
    func segmentDefinitions() throws {
        let name = try error("[[segment]]\nname = \"Big Spender\"\nrule = \"spend_total > 1\"\n")
        #expect(name.key == "segment[0].name")
        let twice = try error("[[segment]]\nname = \"a\"\nrule = \"true\"\n[[segment]]\nname = \"a\"\nrule = \"true\"\n")
        #expect(twice.line == 5)
        #expect(twice.message.contains("defined twice"))
        let missing = try error("[[segment]]\nname = \"a\"\n")
        #expect(missing.key == "segment[0].rule")
        #expect(missing.message.contains("missing required key"))
        let cycle = try error("[[segment]]\nname = \"a\"\nrule = \"segment(b)\"\n[[segment]]\nname = \"b\"\nrule = \"segment(a)\"\n")
        #expect(cycle.message.contains("cycle"))
    }

    @Test("a TOML syntax error names its line")
    func syntaxError() throws {
        let failure = try error("[ingest]\nsub_bind = [\"tcp://127.0.0.1:1\"\n[publish]\n")
        #expect(failure.line != nil)
        #expect(failure.message.hasPrefix("TOML syntax"))
    }

    @Test("an unreadable file is reported with its path")
    func missingFile() {
        #expect {
            _ = try SegdConfiguration.load(path: "/nonexistent/segd.toml")
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("/nonexistent/segd.toml: cannot read") == true
        }
    }
}
