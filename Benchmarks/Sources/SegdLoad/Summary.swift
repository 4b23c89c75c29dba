import Foundation
import SegdCore

/// `summary`: one run's figures beside issue 6's goals, as a Markdown table, from what the run
/// left in `results/`: the in-process benchmarks' output (`inprocess.txt`: the lines
/// `NAME: N events/s (mean …` and each benchmark's `Malloc (total)` row) and segd-load's records
/// after line `--after-line` of `results.jsonl` (which keeps every run's). A goal no record of
/// this run speaks to reads "not run". A line on benchmark 9 (shards against one) follows the table.
func runSummary(_ options: Options) throws {
    let results = Paths.resultsDirectory
    let records = try runRecords(
        path: try options.string("results", default: results.appendingPathComponent("results.jsonl").path),
        afterLine: try options.int("after-line", default: 0))
    let inProcess = InProcessResults(path: try options.string("inprocess", default: results.appendingPathComponent("inprocess.txt").path))

    print("| goal (issue 6) | this run | met |")
    print("| --- | --- | --- |")
    let memory = memoryRows(records)
    let rows = [
        decodeAndEngineRow(inProcess), steadyStateMallocsRow(inProcess), endToEndRow(records), latencyRow(records), memory.perCustomer,
        memory.fiveMillion, restartRow(records),
    ]
    for row in rows {
        print("| \(row.goal) | \(row.measured ?? "not run") | \(row.measured == nil ? "—" : row.met ? "yes" : "no") |")
    }
    if let shards = shardsLine(records) { print("\n\(shards)") }
}

/// Benchmark 9 beside the one-core goal: decode + engine over several shards against one, by span
/// and skew (a record without a skew is the generator's default's).
private func shardsLine(_ records: [Record]) -> String? {
    let defaultSkew = EventGenerator.Options().skew
    let runs = records.filter { $0["benchmark"] as? String == "shards" }
    func skew(_ run: Record) -> Double { run["skew"] as? Double ?? defaultSkew }
    let streams = Set(runs.compactMap { run in (run["span_ms"] as? Int).map { StreamShape(span: $0, skew: skew(run)) } })
        .sorted { ($0.skew == defaultSkew ? 0 : 1, $0.skew, $0.span) < ($1.skew == defaultSkew ? 0 : 1, $1.skew, $1.span) }
    let parts = streams.compactMap { stream -> String? in
        func mean(_ shards: Int) -> Double? {
            let rates = runs.filter { $0["span_ms"] as? Int == stream.span && skew($0) == stream.skew && $0["shards"] as? Int == shards }
                .compactMap { $0["events_per_s"] as? Double }
            return rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
        }
        guard let one = mean(1) else { return nil }
        let counts = Set(runs.compactMap { $0["shards"] as? Int }).filter { $0 > 1 }.sorted()
        let others = counts.compactMap { count in mean(count).map { "\(count) shards \(formatRate($0)) (\(String(format: "%.2f", $0 / one))×)" } }
        guard !others.isEmpty else { return nil }
        return "passes over \(formatSpan(milliseconds: stream.span)) of event time"
            + (stream.skew == defaultSkew ? "" : ", Zipf skew \(stream.skew)")
            + ": \(others.joined(separator: ", ")) beside one shard's \(formatRate(one))"
    }
    guard !parts.isEmpty else { return nil }
    return "Beyond one core (benchmark 9, decode + engine on one thread per shard of customers; not a goal): " + parts.joined(separator: "; ") + "."
}

private struct StreamShape: Hashable {
    let span: Int
    let skew: Double
}

/// `90 days`, `3 s` or `1500 ms`.
private func formatSpan(milliseconds span: Int) -> String {
    if span % 86_400_000 == 0 { return "\(span / 86_400_000) day\(span == 86_400_000 ? "" : "s")" }
    return span % 1000 == 0 ? "\(span / 1000) s" : "\(span) ms"
}

private struct GoalRow {
    let goal: String
    /// What the run measured for the goal, nil when it measured nothing for it.
    let measured: String?
    let met: Bool
}

private typealias Record = [String: Any]

private func runRecords(path: String, afterLine: Int) throws -> [Record] {
    guard let data = FileManager.default.contents(atPath: path) else { throw UsageError(description: "cannot read \(path)") }
    return try String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst(afterLine).map { line in
        guard let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? Record else {
            throw UsageError(description: "\(path): not a JSON object: \(line)")
        }
        return record
    }
}

/// What the in-process benchmarks printed: each one's mean events/s, and its mallocs per
/// iteration (1,000 events) at p50, p99 and the most, by benchmark name.
private struct InProcessResults {
    var rates: [String: Double] = [:]
    var mallocs: [String: (p50: Int, p99: Int, most: Int)] = [:]

    static let backfill = "decode + engine (Pipeline.ingest)"
    static let livePace = "decode + engine, live pace (Pipeline.ingest)"
    static let livePaceDedupFull = "decode + engine, live pace, dedup full (Pipeline.ingest)"

    init(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var benchmark = ""
        var previous: Substring = ""
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            defer { previous = line }
            if line.hasPrefix("╒") {
                // A benchmark's table begins under the line with its name.
                benchmark = String(previous)
            } else if line.contains("Malloc (total)") {
                // `│ Malloc (total) │ p0 │ p25 │ p50 │ p75 │ p90 │ p99 │ p100 │ samples │`
                let cells = line.split(separator: "│").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                if cells.count >= 7 { mallocs[benchmark] = (cells[2], cells[5], cells[6]) }
            } else if let colon = line.firstIndex(of: ":") {
                let fields = line[line.index(after: colon)...].split(separator: " ")
                if fields.count >= 2, fields[1] == "events/s", let rate = Double(fields[0]) { rates[String(line[..<colon])] = rate }
            }
        }
    }
}

private func decodeAndEngineRow(_ results: InProcessResults) -> GoalRow {
    let streams = [
        (InProcessResults.backfill, "on the 90-day stream"),
        (InProcessResults.livePace, "at live pace"),
        (InProcessResults.livePaceDedupFull, "at live pace with 10 M ids remembered"),
    ].compactMap { name, label in results.rates[name].map { (rate: $0, label: label) } }
    return GoalRow(
        goal: "decode + engine ≥ 4 M events/s on one core",
        measured: streams.isEmpty ? nil : streams.map { "\(formatRate($0.rate)) \($0.label)" }.joined(separator: ", "),
        met: !streams.isEmpty && streams.allSatisfy { $0.rate >= 4e6 })
}

/// The steady state is a live stream with the dedup set full: nothing grows, no UTC day passes.
private func steadyStateMallocsRow(_ results: InProcessResults) -> GoalRow {
    func describe(_ name: String, _ label: String) -> String? {
        results.mallocs[name].map { "\(label): p50 \($0.p50), p99 \($0.p99), most \($0.most)" }
    }
    let steady = results.mallocs[InProcessResults.livePaceDedupFull]
    let parts = [
        describe(InProcessResults.livePaceDedupFull, "at live pace with the dedup set full"),
        describe(InProcessResults.backfill, "on the 90-day stream (a UTC day's RFM recomputation allocates)"),
    ].compactMap(\.self)
    return GoalRow(
        goal: "no malloc on the steady-state path (per 1,000-event iteration)",
        measured: parts.isEmpty ? nil : parts.joined(separator: "; "),
        met: steady?.most == 0)
}

private func endToEndRow(_ records: [Record]) -> GoalRow {
    let runs = records.filter { $0["benchmark"] as? String == "e2e" }
    let parts = runs.map { run -> String in
        let ratio = (run["ratio"] as? Double).map { String(format: "%.2f", $0) } ?? "n/a"
        let segd = (run["segd_per_s"] as? Double).map(formatRate) ?? "n/a"
        let bare = formatRate(run["bare_per_s"] as? Double ?? 0)
        let lost = [run["segd_lost"], run["bare_lost"]].map { ($0 as? Int).map(String.init) ?? "?" }.joined(separator: " / ")
        return "\(run["transport"] as? String ?? "?") over \(run["span"] as? String ?? "?"): \(ratio) (segd \(segd), bare \(bare)), lost \(lost)"
    }
    let tcp = runs.filter { $0["transport"] as? String == "tcp" }
    let met = !tcp.isEmpty && tcp.allSatisfy { ($0["ratio"] as? Double ?? 0) >= 0.8 }
        && runs.allSatisfy { $0["segd_lost"] as? Int == 0 && $0["bare_lost"] as? Int == 0 }
    return GoalRow(goal: "end to end over tcp ≥ 0.8 of the bare subscriber's rate, 0 lost", measured: runs.isEmpty ? nil : parts.joined(separator: "; "), met: met)
}

private func latencyRow(_ records: [Record]) -> GoalRow {
    func p99s(target: String) -> [Double] {
        records.filter {
            $0["benchmark"] as? String == "latency" && $0["target"] as? String == target && $0["mix"] as? String == "generated"
                && $0["rate"] as? Int == 100_000
        }.compactMap { ($0["p99_us"] as? Double).map { $0 / 1000 } }
    }
    let segd = p99s(target: "segd")
    let relay = p99s(target: "relay")
    func list(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: ", ") + " ms" }
    return GoalRow(
        goal: "publish-to-alert p99 < 1 ms at 100 k events/s",
        measured: segd.isEmpty ? nil : "\(list(segd))\(relay.isEmpty ? "" : " (a bare relay in segd's place: \(list(relay)))")",
        met: !segd.isEmpty && segd.allSatisfy { $0 < 1 })
}

private func memoryRows(_ records: [Record]) -> (perCustomer: GoalRow, fiveMillion: GoalRow) {
    let runs = records.filter { $0["benchmark"] as? String == "memory" }
    let perCustomer = runs.compactMap { run in
        (run["customers"] as? Int).flatMap { customers in (run["rss_per_customer"] as? Int).map { (customers, $0) } }
    }
    let fiveMillion = runs.first { $0["customers"] as? Int == 5_000_000 }.flatMap { $0["rss_bytes"] as? Double }
    let gibibyte = Double(1 << 30)
    return (
        GoalRow(
            goal: "under 400 resident bytes a customer",
            measured: perCustomer.isEmpty ? nil : perCustomer.map { "\($0.1) B at \(formatCount($0.0))" }.joined(separator: ", "),
            met: !perCustomer.isEmpty && perCustomer.allSatisfy { $0.1 < 400 }),
        GoalRow(
            goal: "5 M customers under 2.5 GiB resident",
            measured: fiveMillion.map { String(format: "%.2f GiB", $0 / gibibyte) },
            met: (fiveMillion ?? .infinity) < 2.5 * gibibyte)
    )
}

private func restartRow(_ records: [Record]) -> GoalRow {
    let run = records.last { $0["benchmark"] as? String == "restart" && $0["customers"] as? Int == 1_000_000 }
    let seconds = run?["start_seconds"] as? Double
    return GoalRow(
        goal: "restart with 1 M customers, spawn to ready (< 3 s, issue 5)",
        measured: seconds.map { String(format: "%.2f s", $0) },
        met: (seconds ?? .infinity) < 3)
}

private func formatCount(_ customers: Int) -> String {
    customers % 1_000_000 == 0 ? "\(customers / 1_000_000) M" : "\(customers / 1000) k"
}
