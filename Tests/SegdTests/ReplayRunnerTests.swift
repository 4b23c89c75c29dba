import Foundation
import Segd
import Testing

@Suite("Replay")
struct ReplayRunnerTests {
    let configuration: SegdConfiguration

    init() throws {
        configuration = try SegdConfiguration.parse("""
            [[segment]]
            name = "buyer"
            rule = "orders_7d >= 1"
            """, file: "replay-test.toml")
    }

    @Test("an event file replays through the engine, with CRLF lines, a last line without newline and lines without a TAB")
    func fileForms() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("events.tsv")
        let order = #"{"event_id":"o-1","customer_id":"c-1","ts":"2026-01-05T10:00:00Z","amount":1999,"currency":"USD"}"#
        try ("orders\t\(order)\r\n" + "\n" + "just-a-topic\n" + "orders\t{\"bad\":1}").write(toFile: input, atomically: true, encoding: .utf8)
        let emit = directory.path("out.tsv")
        let summary = try ReplayRunner.run(configuration: configuration, options: .init(input: input, emit: emit))
        let lines = try String(contentsOfFile: emit, encoding: .utf8).split(separator: "\n").map(String.init)
        try #require(lines.count == 3)
        #expect(lines[0].hasPrefix("segment.buyer.enter\t{\"seq\":1,"))
        #expect(lines[1].hasPrefix("deadletter\t{\"seq\":2,\"reason\":\"frame_count\""))
        #expect(lines[2].hasPrefix("deadletter\t{\"seq\":3,\"reason\":\"unknown_field\""))
        #expect(summary.contains(#""rejected_by_reason":{"frame_count":1,"unknown_field":1}"#))
    }

    @Test("--until fires the timers that fall due after the last event; --profiles writes every customer")
    func untilAndProfiles() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("events.tsv")
        try ("orders\t" + #"{"event_id":"o-1","customer_id":"c-1","ts":"2026-01-05T10:00:00Z","amount":1999,"currency":"USD"}"#)
            .write(toFile: input, atomically: true, encoding: .utf8)
        let emit = directory.path("out.tsv")
        let profiles = directory.path("profiles.jsonl")
        let summary = try ReplayRunner.run(
            configuration: configuration,
            options: .init(input: input, emit: emit, until: 1_768_867_200_000, profiles: profiles))
        let lines = try String(contentsOfFile: emit, encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 2)
        #expect(lines[1].hasPrefix("segment.buyer.exit\t"))
        #expect(lines[1].contains(#""ts":"2026-01-12T00:00:00.000Z","cause":"timer""#))
        #expect(summary.contains(#""clock":"2026-01-20T00:00:00.000Z""#))
        let profile = try String(contentsOfFile: profiles, encoding: .utf8)
        #expect(profile.hasPrefix(#"{"customer_id":"c-1","first_seen":"2026-01-05T10:00:00.000Z""#))
        #expect(profile.contains(#""orders_total":1"#))
        #expect(profile.contains(#""spend_total":19.99"#))
        #expect(profile.contains(#""segments":[]"#))
    }

    @Test("replaying the same generated file twice gives the same summary and the same bytes")
    func deterministic() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("events.tsv")
        try EventFileGenerator.write(events: 30_000, customers: 2_000, seed: 3, start: 1_767_225_600_000, span: 30 * 86_400_000, to: input)
        var outputs: [(String, Data)] = []
        for run in 0..<2 {
            let emit = directory.path("out-\(run).tsv")
            let summary = try ReplayRunner.run(configuration: configuration, options: .init(input: input, emit: emit, until: 1_772_000_000_000))
            outputs.append((summary, try Data(contentsOf: URL(fileURLWithPath: emit))))
        }
        #expect(outputs[0].0 == outputs[1].0)
        #expect(outputs[0].1 == outputs[1].1)
        #expect(outputs[0].1.count > 10_000)
    }

    @Test("a missing input file is an error naming it")
    func missingInput() throws {
        #expect {
            _ = try ReplayRunner.run(configuration: configuration, options: .init(input: "/nonexistent/events.tsv"))
        } throws: { error in
            String(describing: error).hasPrefix("/nonexistent/events.tsv: open failed")
        }
    }
}
