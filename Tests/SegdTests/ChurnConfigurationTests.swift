import Foundation
import Segd
import SegdCore
import Testing

@Suite("Configuration: [churn]")
struct ChurnConfigurationTests {
    private func error(_ text: String, file: String = "test.toml") throws -> ConfigError {
        do {
            _ = try SegdConfiguration.parse(text, file: file)
        } catch {
            return error
        }
        Issue.record("expected a configuration error")
        throw CancellationError()
    }

    @Test("the shipped config loads the fitted parameters from churn.json beside it")
    func shippedModel() throws {
        let churn = try #require(try SegdConfiguration.load(path: defaultConfigPath).engine.churn)
        let model = try #require(churn.model)
        #expect(model.unit == .weeks)
        #expect(model.oneTimeBuyerDays == 200)
        #expect(model.spend != nil)
        #expect(churn.threshold == 0.5 && churn.hysteresis == 0.1)
        #expect(churn.horizons.map(\.description) == ["30d", "365d"])
        #expect(churn.refitIntervalMilliseconds == Int64(7 * 86_400_000))
    }

    @Test("inline parameters and every setting, read with their defaults")
    func inline() throws {
        let configuration = try SegdConfiguration.parse("""
            [churn]
            r = 0.243
            alpha = 4.414
            a = 0.793
            b = 2.426
            unit = "weeks"
            one_time_buyer_days = 45
            """, file: "t.toml")
        let churn = try #require(configuration.engine.churn)
        #expect(churn.model == ChurnModel(purchases: BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426), spend: nil, unit: .weeks, oneTimeBuyerDays: 45))
        #expect(churn.threshold == 0.5 && churn.hysteresis == 0.1 && churn.oneTimeBuyerQuantile == 0.9)
        #expect(churn.refitIntervalMilliseconds == nil)
        #expect(try SegdConfiguration.parse("", file: "t.toml").engine.churn == nil)
    }

    @Test("churn features in a rule need a [churn] section")
    func featuresNeedTheSection() throws {
        let failure = try error("[[segment]]\nname = \"x\"\nrule = \"p_alive < 0.5\"\n")
        #expect(failure.key == "segment[0].rule")
        #expect(failure.message.contains("p_alive"))
        _ = try SegdConfiguration.parse("[churn]\nrefit_interval = \"1d\"\n[[segment]]\nname = \"x\"\nrule = \"p_alive < 0.5 and expected_orders_30d > 1\"\n", file: "t.toml")
    }

    @Test("bad churn settings name the file, line and key")
    func badSettings() throws {
        let missing = try error("[churn]\nthreshold = 0.4\n")
        #expect(missing.key == "churn.params" && missing.message.contains("needs a model"))
        let partial = try error("[churn]\nr = 1\nalpha = 2\n")
        #expect(partial.key == "churn.r" && partial.line == 2)
        let band = try error("[churn]\nrefit_interval = \"1d\"\nthreshold = 0.7\nhysteresis = 0.4\n")
        #expect(band.key == "churn.hysteresis" && band.line == 4)
        let unit = try error("[churn]\nr = 1\nalpha = 2\na = 1\nb = 1\nunit = \"months\"\n")
        #expect(unit.key == "churn.unit")
        let typo = try error("[churn]\nrefit_interval = \"1d\"\nthreshhold = 0.4\n")
        #expect(typo.message.contains("did you mean \"threshold\""))
    }

    @Test("a params file that is missing or malformed is refused with its path")
    func badParamsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("segd-churn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("segd.toml").path
        let missing = try error("[churn]\nparams = \"nope.json\"\n", file: config)
        #expect(missing.key == "churn.params" && missing.message.contains("nope.json"))
        try #"{"model":"bgnbd","unit":"weeks","r":0.2,"alpha":-1,"a":1,"b":1}"#.write(toFile: directory.appendingPathComponent("bad.json").path, atomically: true, encoding: .utf8)
        let bad = try error("[churn]\nparams = \"bad.json\"\n", file: config)
        #expect(bad.message.contains("alpha: expected a positive number"))
    }
}
