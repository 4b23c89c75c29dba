public import SegdCore

/// `segd fit`: reads a file of orders into per-customer summaries (``OrderHistory``), fits BG/NBD
/// and, when the data allows, Gamma-Gamma, and renders the result as one JSON object:
///
///     {"model":"bgnbd","unit":"weeks","r":…,"alpha":…,"a":…,"b":…,"log_likelihood":…,"customers":…,
///      "one_time_buyer_days":…,"one_time_buyer_quantile":…,"gamma_gamma":{"p":…,"q":…,"gamma":…}}
///
/// `gamma_gamma` is left out when spend cannot be fitted (no repeat purchase with a positive
/// amount, orders in more than one currency, or no maximum); the report says why.
public enum ChurnFitRunner {
    public struct Options: Sendable {
        /// The file of `topic<TAB>json` lines, `-` for standard input.
        public var input: String
        /// UTC day number of the calibration end: orders after it are left out, and every
        /// customer's age T is counted to it (the day itself, no +1).
        public var calibrationEndDay: Int64
        public var unit: ChurnTimeUnit
        /// The quantile of the inter-purchase gaps after which a one-time buyer counts as at risk.
        public var oneTimeBuyerQuantile: Double
        /// Where to write the JSON as well as returning it.
        public var out: String?

        public init(input: String, calibrationEndDay: Int64, unit: ChurnTimeUnit, oneTimeBuyerQuantile: Double = 0.9, out: String? = nil) {
            self.input = input
            self.calibrationEndDay = calibrationEndDay
            self.unit = unit
            self.oneTimeBuyerQuantile = oneTimeBuyerQuantile
            self.out = out
        }
    }

    /// What a fit produced: the JSON, the models, and what was read.
    public struct Outcome: Sendable {
        public var json: String
        public var purchases: BGNBDFit
        public var spend: GammaGammaFit?
        public var model: ChurnModel
        public var history: OrderHistory
    }

    /// Reads, fits and renders. `report` receives lines for standard error as they become known —
    /// what was read and what was malformed before the fit, so they are said even when it fails;
    /// then who the models were fitted on, and why spend was left out.
    public static func run(_ options: Options, report: (String) -> Void) throws -> Outcome {
        let history = try OrderHistory.read(path: options.input, calibrationEndDay: options.calibrationEndDay)
        report(
            "read \(history.orders) orders of \(history.summaries.count) customers on or before "
                + "\(date(options.calibrationEndDay)); \(history.ordersAfterEnd) orders after it and "
                + "\(history.ignoredLines) other lines ignored")
        if history.malformedLines > 0 {
            let reasons = history.malformedByReason.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
            report(
                "\(history.malformedLines) malformed lines skipped (\(reasons.joined(separator: ", "))); "
                    + "the first: \(history.firstMalformedDetail ?? "")")
        }
        let refit = ChurnRefit(
            summaries: history.summaries, onDay: options.calibrationEndDay, unit: options.unit, gaps: history.gaps,
            oneTimeBuyerQuantile: options.oneTimeBuyerQuantile,
            spendExclusion: history.currencies.count > 1
                ? "orders are in \(history.currencies.joined(separator: ", ")), and spend in different currencies cannot be pooled" : nil)
        let outcome = try refit.run()
        report("BG/NBD: \(outcome.sample.repeatCustomers) of \(outcome.sample.customers) customers bought again")
        if let omission = outcome.spendOmission {
            report("Gamma-Gamma left out: \(omission)")
        } else {
            report("Gamma-Gamma: fitted on the mean repeat spend of \(outcome.spendCustomers) customers")
        }
        let json = render(outcome, oneTimeBuyerQuantile: options.oneTimeBuyerQuantile)
        if let path = options.out {
            let writer = try MessageFileWriter(path: path)
            try writer.writeLine(Array(json.utf8))
            try writer.flush()
        }
        return Outcome(json: json, purchases: outcome.purchases, spend: outcome.spend, model: outcome.model, history: history)
    }

    /// The UTC day number of `text`: a date `YYYY-MM-DD`, or an event time as the rest of segd
    /// takes it (RFC 3339 UTC or epoch milliseconds), whose day is used. Nil if it is neither.
    public static func calibrationEndDay(parsing text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           parts.allSatisfy({ part in part.allSatisfy { $0.isASCII && $0.isNumber } }),
           let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]) {
            guard (1...12).contains(month), (1...CivilDate.daysInMonth(month, year: year)).contains(day) else { return nil }
            return CivilDate(year: year, month: month, day: day).daysSinceEpoch
        }
        return EventTimeText.parse(text).map(EventTime.day)
    }

    private static func render(_ outcome: ChurnRefit.Outcome, oneTimeBuyerQuantile: Double) -> String {
        let purchases = outcome.purchases
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("model")
        writer.string("bgnbd")
        writer.key("unit")
        writer.string(purchases.unit.rawValue)
        writer.key("r")
        writer.number(purchases.parameters.r)
        writer.key("alpha")
        writer.number(purchases.parameters.alpha)
        writer.key("a")
        writer.number(purchases.parameters.a)
        writer.key("b")
        writer.number(purchases.parameters.b)
        writer.key("log_likelihood")
        writer.number(purchases.logLikelihood)
        writer.key("customers")
        writer.integer(purchases.customers)
        if let days = outcome.model.oneTimeBuyerDays {
            writer.key("one_time_buyer_days")
            writer.number(days)
            writer.key("one_time_buyer_quantile")
            writer.number(oneTimeBuyerQuantile)
        }
        if let spend = outcome.spend {
            writer.key("gamma_gamma")
            writer.beginObject()
            writer.key("p")
            writer.number(spend.parameters.p)
            writer.key("q")
            writer.number(spend.parameters.q)
            writer.key("gamma")
            writer.number(spend.parameters.gamma)
            writer.endObject()
        }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DD` of UTC day `day`: the date part of the RFC 3339 form every message uses.
    private static func date(_ day: Int64) -> String {
        String(TimestampFormat.rfc3339(day * EventTime.millisecondsPerDay).prefix(10))
    }
}
