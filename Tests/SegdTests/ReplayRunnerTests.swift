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

    @Test("a refit failing the same way at every interval is reported once, then counted")
    func repeatedRefitFailures() throws {
        let directory = try TemporaryDirectory()
        let parameters = directory.path("churn.json")
        try #"{"model":"bgnbd","unit":"weeks","r":0.267,"alpha":5.99,"a":0.484,"b":2.11,"one_time_buyer_days":200,"gamma_gamma":{"p":5.09,"q":4.0,"gamma":21.3}}"#.write(toFile: parameters, atomically: true, encoding: .utf8)
        let churned = try SegdConfiguration.parse("""
            [churn]
            params = "\(parameters)"
            refit_interval = "7d"

            [[segment]]
            name = "buyer"
            rule = "orders_7d >= 1"
            """, file: directory.path("replay-test.toml"))
        // One order per customer, one customer a day for ten weeks: no customer ever buys twice,
        // so every weekly refit fails for the same reason.
        let input = directory.path("events.tsv")
        let day: Int64 = 86_400_000
        let lines = (0..<70).map { index in
            #"orders\#t{"event_id":"o-\#(index)","customer_id":"c-\#(index)","ts":\#(1_767_225_600_000 + Int64(index) * day),"amount":1999,"currency":"USD"}"#
        }
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        var reported: [String] = []
        _ = try ReplayRunner.run(configuration: churned, options: .init(input: input)) { reported.append($0) }
        try #require(reported.count == 2, "\(reported)")
        #expect(reported[0].hasPrefix("churn model refit failed, keeping the model in force: no customer bought on two different days"))
        #expect(reported[1].hasPrefix("churn model refit failed ") && reported[1].hasSuffix(" more times with the same error"))
        let repeats = Int(reported[1].split(separator: " ")[4])
        #expect(repeats.map { $0 >= 5 } == true, "\(reported[1])")
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
