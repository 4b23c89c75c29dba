import Foundation
public import SegdCore

/// Reads the JSON `segd fit --out` writes back into a ``ChurnModel``, for `[churn] params`.
/// Unknown keys (`log_likelihood`, `customers`, …) are allowed: they describe the fit.
public enum ChurnParametersFile {
    /// The model in `path`, or a message saying what is wrong with the file.
    public static func load(path: String) -> Result<ChurnModel, ParametersError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ParametersError("cannot read \(path)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let fields = object as? [String: Any] else {
            return .failure(ParametersError("\(path) is not a JSON object as `segd fit --out` writes"))
        }
        return parse(fields).mapError { ParametersError("\(path): \($0.message)") }
    }

    static func parse(_ fields: [String: Any]) -> Result<ChurnModel, ParametersError> {
        if let model = fields["model"] as? String, model != "bgnbd" {
            return .failure(ParametersError("model is \"\(model)\", expected \"bgnbd\""))
        }
        guard let unitName = fields["unit"] as? String, let unit = ChurnTimeUnit(rawValue: unitName) else {
            return .failure(ParametersError("unit: expected \"days\" or \"weeks\""))
        }
        func positive(_ key: String, in object: [String: Any]) -> Result<Double, ParametersError> {
            guard let value = (object[key] as? NSNumber)?.doubleValue, value > 0, value.isFinite else {
                return .failure(ParametersError("\(key): expected a positive number"))
            }
            return .success(value)
        }
        do {
            let purchases = BGNBDParameters(
                r: try positive("r", in: fields).get(), alpha: try positive("alpha", in: fields).get(),
                a: try positive("a", in: fields).get(), b: try positive("b", in: fields).get())
            var spend: GammaGammaParameters?
            if let spendFields = fields["gamma_gamma"] as? [String: Any] {
                spend = GammaGammaParameters(
                    p: try positive("p", in: spendFields).get(), q: try positive("q", in: spendFields).get(),
                    gamma: try positive("gamma", in: spendFields).get())
            }
            var oneTimeBuyerDays: Double?
            if fields["one_time_buyer_days"] != nil { oneTimeBuyerDays = try positive("one_time_buyer_days", in: fields).get() }
            return .success(ChurnModel(purchases: purchases, spend: spend, unit: unit, oneTimeBuyerDays: oneTimeBuyerDays))
        } catch {
            return .failure(error)
        }
    }

    public struct ParametersError: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
