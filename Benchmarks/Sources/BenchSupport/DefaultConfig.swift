import Foundation
public import SegdCore

/// The engine settings and segments of `deploy/segd.toml`, read without the `Segd` module.
///
/// `SegdConfiguration` (the real TOML reader) lives in `Segd`, which is not a library product of
/// the main package, so the in-process benchmarks read the few keys the engine needs with this
/// line reader: `[engine]` windows, currency, minor_units, allowed_lateness, max_future_skew,
/// dedup_horizon, and every `[[segment]]` name, family, description and rule written as one-line basic
/// strings. Anything else in `[engine]` or `[[segment]]` stops the benchmark, so a config change
/// cannot be silently ignored.
public enum DefaultConfig {
    /// `deploy/segd.toml` of the main package, found from this file's location.
    public static var path: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/segd.toml").path
    }

    public static func engineConfiguration(path: String = DefaultConfig.path) -> EngineConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fatalError("cannot read \(path)") }
        var configuration = EngineConfiguration()
        var section = ""
        var segment: [String: String]?
        var segments: [EngineConfiguration.Segment] = []
        func finishSegment() {
            guard let fields = segment else { return }
            guard let name = fields["name"], let rule = fields["rule"] else { fatalError("\(path): a [[segment]] without name or rule") }
            segments.append(.init(name: name, description: fields["description"] ?? "", rule: rule, family: fields["family"]))
            segment = nil
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                finishSegment()
                section = line
                if line == "[[segment]]" { segment = [:] }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { fatalError("\(path): cannot read line \(line)") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            switch section {
            case "[engine]":
                switch key {
                case "windows":
                    configuration.windows = strings(in: value).map { text in
                        guard let window = try? WindowSpec(parsing: text) else { fatalError("\(path): bad window \(text)") }
                        return window
                    }
                case "currency":
                    guard let code = CurrencyCode(strings(in: value)[0]) else { fatalError("\(path): bad currency \(value)") }
                    configuration.currency = code
                case "minor_units": configuration.minorUnitsPerMajor = Int(value)!
                case "allowed_lateness": configuration.allowedLatenessMilliseconds = duration(value)
                case "max_future_skew": configuration.maxFutureSkewMilliseconds = duration(value)
                case "dedup_horizon": configuration.dedupHorizonMilliseconds = duration(value)
                default: fatalError("\(path): [engine] \(key) is not understood by the benchmark's config reader; teach DefaultConfig")
                }
            case "[[segment]]":
                guard ["name", "description", "rule", "family"].contains(key) else { fatalError("\(path): [[segment]] \(key) not understood") }
                segment?[key] = strings(in: value)[0]
            default:
                continue // ingest, publish, log: not the engine's business
            }
        }
        finishSegment()
        configuration.segments = segments
        return configuration
    }

    private static func duration(_ value: String) -> Int64 {
        guard let milliseconds = EventTimeText.parseDuration(strings(in: value)[0]) else { fatalError("bad duration \(value)") }
        return milliseconds
    }

    /// The basic strings in `value` (a string or an array of strings), with `\"` and `\\` unescaped.
    static func strings(in value: String) -> [String] {
        var result: [String] = []
        var current: String?
        var escaped = false
        for character in value {
            if var text = current {
                if escaped {
                    text.append(character)
                    escaped = false
                    current = text
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    result.append(text)
                    current = nil
                } else {
                    text.append(character)
                    current = text
                }
            } else if character == "\"" {
                current = ""
            } else if character == "#" {
                break
            }
        }
        return result
    }
}
