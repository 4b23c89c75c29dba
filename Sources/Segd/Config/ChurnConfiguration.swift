import Foundation
import SegdCore

extension SegdConfiguration {
    /// Reads `[churn]`: absent turns churn off. The model comes from `params` (a file `segd fit
    /// --out` wrote, relative to the config file), from inline `r`, `alpha`, `a`, `b`, or from
    /// the first background refit when only `refit_interval` is set.
    mutating func readChurn(_ reader: ConfigReader, present: Bool) throws(ConfigError) {
        var reader = reader
        guard present else { return }
        var model: ChurnModel?
        if let path = try reader.optionalString("params") {
            switch ChurnParametersFile.load(path: Self.resolve(path, against: file)) {
            case .success(let loaded): model = loaded
            case .failure(let failure): throw reader.error("params", failure.message)
            }
        }
        let positive = 1e-12...1e12
        let inline = try ["r", "alpha", "a", "b"].map { key throws(ConfigError) in try reader.optionalNumber(key, in: positive) }
        let unitName = try reader.string("unit", default: "days")
        let spend = try ["spend_p", "spend_q", "spend_gamma"].map { key throws(ConfigError) in try reader.optionalNumber(key, in: positive) }
        let oneTimeBuyerDays = try reader.optionalNumber("one_time_buyer_days", in: 0.001...36_600)
        if inline.contains(where: { $0 != nil }) {
            guard model == nil else { throw reader.error("r", "give the model either as params = \"FILE\" or inline, not both") }
            guard let r = inline[0], let alpha = inline[1], let a = inline[2], let b = inline[3] else {
                throw reader.error("r", "inline parameters need all four of r, alpha, a and b")
            }
            guard let unit = ChurnTimeUnit(rawValue: unitName) else { throw reader.error("unit", "expected \"days\" or \"weeks\", got \"\(unitName)\"") }
            var spendModel: GammaGammaParameters?
            if spend.contains(where: { $0 != nil }) {
                guard let p = spend[0], let q = spend[1], let gamma = spend[2] else {
                    throw reader.error("spend_p", "the inline spend model needs all three of spend_p, spend_q and spend_gamma")
                }
                spendModel = GammaGammaParameters(p: p, q: q, gamma: gamma)
            }
            model = ChurnModel(purchases: BGNBDParameters(r: r, alpha: alpha, a: a, b: b), spend: spendModel, unit: unit)
        }
        if let oneTimeBuyerDays { model?.oneTimeBuyerDays = oneTimeBuyerDays }
        var settings = ChurnSettings(model: model)
        settings.threshold = try reader.number("threshold", default: settings.threshold, in: 0.001...0.999)
        settings.hysteresis = try reader.number("hysteresis", default: settings.hysteresis, in: 0...0.999)
        if settings.threshold + settings.hysteresis > 1 {
            throw reader.error("hysteresis", "threshold + hysteresis is \(settings.threshold + settings.hysteresis); P(alive) can never reach it, so no customer could recover")
        }
        var horizons: [WindowSpec] = []
        for text in try reader.stringArray("horizons", default: settings.horizons.map(\.description)) {
            do {
                horizons.append(try WindowSpec(parsing: text))
            } catch {
                throw reader.error("horizons", error.description)
            }
        }
        guard !horizons.isEmpty else { throw reader.error("horizons", "at least one horizon is needed: expected_value uses the first") }
        settings.horizons = horizons
        settings.oneTimeBuyerQuantile = try reader.number("one_time_buyer_quantile", default: settings.oneTimeBuyerQuantile, in: 0.01...1)
        let interval = try reader.duration("refit_interval", default: 0, in: 0...EventTime.millisecondsPerDay * 366)
        settings.refitIntervalMilliseconds = interval > 0 ? interval : nil
        settings.refitMinimumRepeatCustomers = try reader.integer(
            "refit_min_repeat_customers", default: settings.refitMinimumRepeatCustomers, in: 1...100_000_000)
        if model == nil, settings.refitIntervalMilliseconds == nil {
            throw reader.error("params", "[churn] needs a model: params = \"FILE\" from segd fit --out, inline r, alpha, a and b, or refit_interval to fit one from live data")
        }
        try reader.finish()
        engine.churn = settings
    }
}
