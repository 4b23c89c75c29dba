/// Finds the line on which a key is defined in TOML source text, so errors found after parsing
/// (a value out of range, an unknown key) can name the line. TOMLKit reports positions only for
/// syntax errors, hence this small scan of table headers and `key =` lines; keys it cannot place
/// (dotted keys, inline tables) are reported without a line rather than with a wrong one.
struct TOMLKeyLocator {
    /// Line (1-based) of each `key = …` by its table path, e.g. `ingest.sub_bind` or `segment[2].rule`.
    private var lines: [String: (line: Int, valueColumn: Int)] = [:]

    init(source: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        for (offset, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[[") {
                let name = Self.header(line.dropFirst(2), closing: "]]")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                table = "\(name)[\(index)]"
                lines[table] = (lineNumber, 1)
            } else if line.hasPrefix("[") {
                table = Self.header(line.dropFirst(), closing: "]")
                lines[table] = (lineNumber, 1)
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = line[..<equals].trimmingSpaces().trimmingQuotes()
                guard !key.isEmpty else { continue }
                let valueStart = line[line.index(after: equals)...].firstIndex(where: { $0 != " " && $0 != "\t" }) ?? equals
                let indent = rawLine.count - line.count
                let column = indent + line.distance(from: line.startIndex, to: valueStart) + 1
                lines[table.isEmpty ? key : "\(table).\(key)"] = (lineNumber, column)
            }
        }
    }

    /// The line of `path` and the column where its value starts, if found.
    func locate(_ path: String) -> (line: Int, valueColumn: Int)? { lines[path] }

    private static func header(_ text: Substring, closing: String) -> String {
        let inner = text.prefix(while: { $0 != "]" })
        return String(inner.trimmingSpaces())
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }

    fileprivate func trimmingQuotes() -> String {
        if count >= 2, let first, let last, first == last, first == "\"" || first == "'" {
            return String(dropFirst().dropLast())
        }
        return String(self)
    }
}
