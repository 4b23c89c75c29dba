import Foundation
import Segd
import SegdCore
import Testing

@Suite("segd fit")
struct FitRunnerTests {
    /// The vendored CDNOW sample (Fader, Hardie & Lee 2005), shared with SegdCoreTests.
    static let samplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SegdCoreTests/Fixtures/CDNOW_sample.txt").path

    /// Writes the CDNOW sample as an event file, one order per transaction row, the way a shop
    /// would send them: times of day spread over the day, half as RFC 3339 and half as epoch
    /// milliseconds, in reverse file order; plus clicks, a review, an outbound message and three
    /// malformed lines.
    static func writeSampleEvents(to path: String, currency: (Int) -> String = { _ in "USD" }) throws {
        let text = try String(contentsOfFile: samplePath, encoding: .ascii)
        var lines: [String] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            let date = fields[2]
            let (year, month, day) = (Int64(date.prefix(4))!, Int64(date.dropFirst(4).prefix(2))!, Int64(date.suffix(2))!)
            let midnight = CivilDate(year: year, month: month, day: day).daysSinceEpoch * EventTime.millisecondsPerDay
            let time = midnight + Int64(number * 7_919 % 86_400) * 1_000
            let ts = number.isMultiple(of: 2) ? "\"\(TimestampFormat.rfc3339(time))\"" : "\(time)"
            let cents = fields[4].replacingOccurrences(of: ".", with: "")
            lines.append(
                "orders\t{\"event_id\":\"o-\(number)\",\"customer_id\":\"cdnow-\(fields[0])\",\"ts\":\(ts),"
                    + "\"amount\":\(Int(cents)!),\"currency\":\"\(currency(number))\",\"items\":\(fields[3])}")
            if number.isMultiple(of: 100) {
                lines.append(
                    "clicks\t{\"event_id\":\"k-\(number)\",\"customer_id\":\"cdnow-\(fields[0])\",\"ts\":\(ts),\"action\":\"view\"}")
            }
        }
        lines.reverse()
        lines.insert("reviews\t{\"event_id\":\"r-1\",\"customer_id\":\"cdnow-00004\",\"ts\":\"1997-02-01T00:00:00Z\",\"rating\":5}", at: 10)
        lines.insert("segment.vip.enter\t{\"seq\":1}", at: 20)
        lines.insert("orders\t{\"event_id\":\"bad-1\",\"customer_id\":\"x\",\"ts\":\"yesterday\",\"amount\":1,\"currency\":\"USD\"}", at: 30)
        lines.insert("orders\t{\"event_id\":\"bad-2\"", at: 40)
        lines.insert("a line without a tab", at: 50)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("fitting an event file made from the CDNOW sample gives the paper's numbers, and --out holds the same JSON")
    func endToEnd() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("orders.tsv")
        try Self.writeSampleEvents(to: input)
        let out = directory.path("model.json")
        let endDay = try #require(ChurnFitRunner.calibrationEndDay(parsing: "1997-09-30"))
        let outcome = try ChurnFitRunner.run(.init(input: input, calibrationEndDay: endDay, unit: .weeks, out: out)) { _ in }

        let parameters = outcome.purchases.parameters
        #expect(abs((parameters.r * 1_000).rounded() / 1_000 - 0.243) < 0.0005, "r = \(parameters.r)")
        #expect(abs((parameters.alpha * 1_000).rounded() / 1_000 - 4.414) < 0.0005, "α = \(parameters.alpha)")
        #expect(abs((parameters.a * 1_000).rounded() / 1_000 - 0.793) < 0.0005, "a = \(parameters.a)")
        #expect(abs((parameters.b * 1_000).rounded() / 1_000 - 2.426) < 0.0005, "b = \(parameters.b)")
        #expect(abs(outcome.purchases.logLikelihood - -9_582.4) < 0.05)
        let spend = try #require(outcome.spend?.parameters)
        #expect(abs(spend.p - 6.25) < 0.005 && abs(spend.q - 3.74) < 0.005 && abs(spend.gamma - 15.44) < 0.005)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.json.utf8)) as? [String: Any])
        #expect(json["model"] as? String == "bgnbd")
        #expect(json["unit"] as? String == "weeks")
        #expect(json["customers"] as? Int == 2_357)
        let gammaGamma = try #require(json["gamma_gamma"] as? [String: Any])
        #expect(Set(gammaGamma.keys) == ["p", "q", "gamma"])
        // Numbers are written in the shortest form that reads back to the same Double.
        for (key, value) in [
            ("r", parameters.r), ("alpha", parameters.alpha), ("a", parameters.a), ("b", parameters.b),
            ("log_likelihood", outcome.purchases.logLikelihood), ("p", spend.p), ("q", spend.q), ("gamma", spend.gamma),
        ] {
            #expect(outcome.json.contains("\"\(key)\":\(value),") || outcome.json.contains("\"\(key)\":\(value)}"), "\(key)")
        }
        #expect(outcome.json.hasPrefix(#"{"model":"bgnbd","unit":"weeks","r":"#))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == outcome.json + "\n")
    }

    @Test("malformed lines are counted by reason and reported, other events and topics ignored, later orders left out")
    func accounting() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("orders.tsv")
        try Self.writeSampleEvents(to: input)
        let endDay = try #require(ChurnFitRunner.calibrationEndDay(parsing: "1997-09-30"))
        var report: [String] = []
        let outcome = try ChurnFitRunner.run(.init(input: input, calibrationEndDay: endDay, unit: .days)) { report.append($0) }
        let history = outcome.history
        #expect(history.orders + history.ordersAfterEnd == 6_919)
        #expect(history.summaries.count == 2_357)
        #expect(history.ignoredLines == 70 + 1 + 1)
        #expect(history.malformedLines == 3)
        #expect(history.malformedByReason == [.invalidField: 1, .malformedJSON: 1, .frameCount: 1])
        #expect(history.currencies == ["USD"])
        #expect(report.first == "read 4960 orders of 2357 customers on or before 1997-09-30; 1959 orders after it and 72 other lines ignored")
        #expect(report.contains { $0.hasPrefix("3 malformed lines skipped (frame_count 1, invalid_field 1, malformed_json 1); the first: ") })
        #expect(outcome.json.contains(#""unit":"days""#))
    }

    @Test("orders in several currencies fit BG/NBD but leave Gamma-Gamma out, and the report says why")
    func severalCurrencies() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("orders.tsv")
        try Self.writeSampleEvents(to: input) { $0.isMultiple(of: 3) ? "EUR" : "USD" }
        let endDay = try #require(ChurnFitRunner.calibrationEndDay(parsing: "1997-09-30"))
        var report: [String] = []
        let outcome = try ChurnFitRunner.run(.init(input: input, calibrationEndDay: endDay, unit: .weeks)) { report.append($0) }
        #expect(outcome.spend == nil)
        #expect(!outcome.json.contains("gamma_gamma"))
        #expect(report.contains("Gamma-Gamma left out: orders are in EUR, USD, and spend in different currencies cannot be pooled"))
    }

    @Test("--calibration-end takes a date, an RFC 3339 time or epoch milliseconds, and nothing else")
    func calibrationEnd() {
        let day = CivilDate(year: 1997, month: 9, day: 30).daysSinceEpoch
        #expect(ChurnFitRunner.calibrationEndDay(parsing: "1997-09-30") == day)
        #expect(ChurnFitRunner.calibrationEndDay(parsing: "1997-09-30T23:59:59Z") == day)
        #expect(ChurnFitRunner.calibrationEndDay(parsing: String(day * 86_400_000 + 5)) == day)
        #expect(ChurnFitRunner.calibrationEndDay(parsing: "1997-02-30") == nil)
        #expect(ChurnFitRunner.calibrationEndDay(parsing: "1997-9-30") == nil)
        #expect(ChurnFitRunner.calibrationEndDay(parsing: "end of September") == nil)
    }

    @Test("a file with no order before the calibration end is an error that says so, after reporting what was read")
    func nothingToFit() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("orders.tsv")
        try "clicks\t{\"event_id\":\"k\",\"customer_id\":\"c\",\"ts\":0,\"action\":\"view\"}\nno tab\n"
            .write(toFile: input, atomically: true, encoding: .utf8)
        var report: [String] = []
        #expect(throws: ChurnFitError.noCustomers) {
            try ChurnFitRunner.run(.init(input: input, calibrationEndDay: 100, unit: .weeks)) { report.append($0) }
        }
        #expect(report.count == 2)
        #expect(report.last?.hasPrefix("1 malformed lines skipped (frame_count 1)") == true)
    }
}
