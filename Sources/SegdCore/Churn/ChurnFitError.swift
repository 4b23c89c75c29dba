/// Why a churn model could not be fitted, said so that a user knows what the data lacked.
public enum ChurnFitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No customer in the sample.
    case noCustomers
    /// Nobody bought twice, so the data says nothing about drop-out: the likelihood has no
    /// maximum at finite parameters.
    case noRepeatPurchases
    /// Fewer repeat customers than a refit requires; the model in force is kept.
    case tooFewRepeatCustomers(found: Int, required: Int)
    /// No repeat purchase had a positive amount, so there is no spend to fit the Gamma-Gamma model to.
    case noRepeatSpend
    /// The optimizer found no maximum; the values are the best point it reached.
    case notConverged(model: String, logLikelihood: Double)

    public var description: String {
        switch self {
        case .noCustomers:
            "no customer has an order on or before the calibration end day"
        case .noRepeatPurchases:
            "no customer bought on two different days before the calibration end, so the model cannot be fitted; "
                + "use a longer history or a later calibration end"
        case .tooFewRepeatCustomers(let found, let required):
            "only \(found) customers bought on two different days; a refit needs at least \(required) ([churn] refit_min_repeat_customers)"
        case .noRepeatSpend:
            "no repeat purchase has a positive amount, so the spend model cannot be fitted"
        case .notConverged(let model, let logLikelihood):
            "the \(model) fit did not converge (best log-likelihood \(logLikelihood)); "
                + "the data may not identify the model's parameters"
        }
    }
}
