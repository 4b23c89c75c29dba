import SegdCore
import TOMLKit

/// Reads one TOML table of the configuration with typed accessors. Every key read is remembered,
/// so ``finish()`` can reject keys nobody asked for (a misspelt `max_mesage_bytes` must not be
/// silently ignored); every error names the file, the line and the dotted key.
struct ConfigReader {
    let file: String
    /// The dotted path of this table (`ingest`, `segment[2]`); empty for the root.
    let path: String
    private let table: TOMLTable
    private let locator: TOMLKeyLocator
    private var readKeys: Set<String> = []

    init(file: String, table: TOMLTable, path: String, locator: TOMLKeyLocator) {
        self.file = file
        self.table = table
        self.path = path
        self.locator = locator
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error located at `key` of this table.
    func error(_ key: String, _ message: String) -> ConfigError {
        let location = locator.locate(qualified(key)) ?? locator.locate(path)
        return ConfigError(file: file, line: location?.line, key: qualified(key), message: message)
    }

    /// Where the value of `key` starts (line, column), for errors inside a value such as a rule.
    func valueLocation(_ key: String) -> (line: Int, valueColumn: Int)? { locator.locate(qualified(key)) }

    mutating func has(_ key: String) -> Bool {
        table.contains(key: key)
    }

    mutating func string(_ key: String, default defaultValue: String? = nil) throws(ConfigError) -> String {
        readKeys.insert(key)
        guard let value = table[key] else {
            if let defaultValue { return defaultValue }
            throw error(key, "missing required key (expected a string)")
        }
        guard let string = value.string else { throw error(key, "expected a string, got \(Self.describe(value))") }
        return string
    }

    mutating func optionalString(_ key: String) throws(ConfigError) -> String? {
        readKeys.insert(key)
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw error(key, "expected a string, got \(Self.describe(value))") }
        return string
    }

    mutating func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        readKeys.insert(key)
        guard let value = table[key] else { return defaultValue }
        guard let integer = value.int else { throw error(key, "expected an integer in \(range.lowerBound)…\(range.upperBound), got \(Self.describe(value))") }
        guard range.contains(integer) else { throw error(key, "expected an integer in \(range.lowerBound)…\(range.upperBound), got \(integer)") }
        return integer
    }

    /// A number (TOML float or integer) in `range`, or nil when absent.
    mutating func optionalNumber(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        readKeys.insert(key)
        guard let value = table[key] else { return nil }
        guard let number = value.double ?? value.int.map(Double.init) else {
            throw error(key, "expected a number in \(range.lowerBound)…\(range.upperBound), got \(Self.describe(value))")
        }
        guard range.contains(number) else { throw error(key, "expected a number in \(range.lowerBound)…\(range.upperBound), got \(number)") }
        return number
    }

    mutating func number(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        try optionalNumber(key, in: range) ?? defaultValue
    }

    mutating func bool(_ key: String, default defaultValue: Bool) throws(ConfigError) -> Bool {
        readKeys.insert(key)
        guard let value = table[key] else { return defaultValue }
        guard let bool = value.bool else { throw error(key, "expected true or false, got \(Self.describe(value))") }
        return bool
    }

    mutating func stringArray(_ key: String, default defaultValue: [String]) throws(ConfigError) -> [String] {
        readKeys.insert(key)
        guard let value = table[key] else { return defaultValue }
        guard let array = value.array else { throw error(key, "expected an array of strings, got \(Self.describe(value))") }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element.string else {
                throw error(key, "element \(index + 1): expected a string, got \(Self.describe(element))")
            }
            strings.append(string)
        }
        return strings
    }

    /// A duration written `250ms`, `30s`, `5m`, `2h` or `7d`, in milliseconds.
    mutating func duration(_ key: String, default defaultValue: Int64, in range: ClosedRange<Int64>) throws(ConfigError) -> Int64 {
        readKeys.insert(key)
        guard let value = table[key] else { return defaultValue }
        guard let text = value.string, let milliseconds = EventTimeText.parseDuration(text) else {
            throw error(key, "expected a duration such as \"250ms\", \"30s\", \"5m\", \"2h\" or \"7d\", got \(Self.describe(value))")
        }
        guard range.contains(milliseconds) else {
            throw error(key, "expected a duration from \(EventTimeText.formatDuration(range.lowerBound)) to \(EventTimeText.formatDuration(range.upperBound)), got \(text)")
        }
        return milliseconds
    }

    /// A sub-table; absent tables read as empty so their defaults apply.
    mutating func table(_ key: String) throws(ConfigError) -> ConfigReader {
        readKeys.insert(key)
        guard let value = table[key] else {
            return ConfigReader(file: file, table: TOMLTable(), path: qualified(key), locator: locator)
        }
        guard let sub = value.table else { throw error(key, "expected a table [\(qualified(key))], got \(Self.describe(value))") }
        return ConfigReader(file: file, table: sub, path: qualified(key), locator: locator)
    }

    /// An array of tables (`[[segment]]`).
    mutating func tableArray(_ key: String) throws(ConfigError) -> [ConfigReader] {
        readKeys.insert(key)
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw error(key, "expected an array of tables [[\(qualified(key))]], got \(Self.describe(value))") }
        var readers: [ConfigReader] = []
        for (index, element) in array.enumerated() {
            guard let sub = element.table else { throw error(key, "element \(index + 1): expected a table") }
            readers.append(ConfigReader(file: file, table: sub, path: "\(qualified(key))[\(index)]", locator: locator))
        }
        return readers
    }

    /// Rejects any key of this table that was never read, suggesting the closest known key.
    func finish() throws(ConfigError) {
        for key in table.keys.sorted() where !readKeys.contains(key) {
            var message = "unknown key"
            if let suggestion = closestName(to: key, among: readKeys.sorted()) { message += " (did you mean \"\(suggestion)\"?)" }
            message += "; known keys here: \(readKeys.sorted().joined(separator: ", "))"
            throw error(key, message)
        }
    }

    private static func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "the string \"\(value.string ?? "")\""
        case .int: "the integer \(value.int ?? 0)"
        case .double: "the number \(value.double ?? 0)"
        case .bool: "\(value.bool ?? false)"
        case .array: "an array"
        case .table: "a table"
        default: "a \(value.type)"
        }
    }
}
