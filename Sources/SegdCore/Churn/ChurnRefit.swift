/// One fit of the whole churn model on a population as of one day: BG/NBD on every buyer's
/// (x, t_x, T), Gamma-Gamma on the repeat buyers' spend when it can be fitted, and the
/// one-time-buyer inactivity limit as a quantile of the inter-purchase gaps. `segd fit` runs it
/// on a file of orders; the daemon takes one from the engine on its refit schedule and runs it
/// on another thread while ingest goes on. A value with everything it needs, so any thread can.
public struct ChurnRefit: Sendable {
    public var summaries: [PurchaseSummary]
    /// The UTC day customers are judged on: T counts to it.
    public var onDay: Int64
    public var unit: ChurnTimeUnit
    public var gaps: InterpurchaseGaps
    public var oneTimeBuyerQuantile: Double
    public var minimumRepeatCustomers: Int
    /// Why spend is not to be fitted (orders in several currencies), if it is not.
    public var spendExclusion: String?

    public init(summaries: [PurchaseSummary], onDay: Int64, unit: ChurnTimeUnit, gaps: InterpurchaseGaps, settings: ChurnSettings) {
        self.init(
            summaries: summaries, onDay: onDay, unit: unit, gaps: gaps, oneTimeBuyerQuantile: settings.oneTimeBuyerQuantile,
            minimumRepeatCustomers: settings.refitMinimumRepeatCustomers)
    }

    public init(
        summaries: [PurchaseSummary], onDay: Int64, unit: ChurnTimeUnit, gaps: InterpurchaseGaps,
        oneTimeBuyerQuantile: Double, minimumRepeatCustomers: Int = 1, spendExclusion: String? = nil
    ) {
        self.summaries = summaries
        self.onDay = onDay
        self.unit = unit
        self.gaps = gaps
        self.oneTimeBuyerQuantile = oneTimeBuyerQuantile
        self.minimumRepeatCustomers = minimumRepeatCustomers
        self.spendExclusion = spendExclusion
    }

    /// What a fit produced.
    public struct Outcome: Sendable {
        public var purchases: BGNBDFit
        public var sample: BGNBDSample
        public var spend: GammaGammaFit?
        /// Why spend was left out, when it was.
        public var spendOmission: String?
        /// The customers the spend model was fitted on.
        public var spendCustomers: Int
        public var model: ChurnModel
    }

    public func run() throws(ChurnFitError) -> Outcome {
        var sample = BGNBDSample(unit: unit)
        for summary in summaries { sample.add(summary, onDay: onDay) }
        // None at all is left to the fitter, whose errors say what the data lacks.
        guard sample.repeatCustomers == 0 || sample.repeatCustomers >= minimumRepeatCustomers else {
            throw .tooFewRepeatCustomers(found: sample.repeatCustomers, required: minimumRepeatCustomers)
        }
        let purchases = try BGNBDFitter.fit(sample)
        var spendSample = SpendSample()
        var spend: GammaGammaFit?
        var omission = spendExclusion
        if omission == nil {
            for summary in summaries { spendSample.add(summary) }
            do {
                spend = try GammaGammaFitter.fit(spendSample)
            } catch {
                omission = error.description
            }
        }
        let model = ChurnModel(
            purchases: purchases.parameters, spend: spend?.parameters, unit: unit,
            oneTimeBuyerDays: gaps.quantile(oneTimeBuyerQuantile).map(Double.init))
        return Outcome(purchases: purchases, sample: sample, spend: spend, spendOmission: omission, spendCustomers: spendSample.customers, model: model)
    }
}
