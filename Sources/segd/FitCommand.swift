import ArgumentParser
import Segd
import SegdCore

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit the BG/NBD churn model (and the Gamma-Gamma spend model) to a file of past orders and print the parameters as JSON.",
        discussion: """
            The input holds one message per line, topic<TAB>json, as producers send them; only \
            orders count, and malformed lines are reported on standard error and skipped. A \
            purchase is a distinct (customer, UTC day); orders after the calibration end day are \
            left out, and each customer's age is counted to that day.
            """)

    @Option(name: .shortAndLong, help: "The file of events, topic<TAB>json per line; - for standard input.")
    var input: String

    @Option(help: "The last day of the calibration period: a date such as 1997-09-30 (UTC), or an RFC 3339 UTC time or epoch milliseconds, whose day is used.")
    var calibrationEnd: String

    @Option(help: "The time unit of recency, age and alpha: days or weeks.")
    var unit = "weeks"

    @Option(help: "The quantile of the population's gaps between purchase days after which a one-time buyer counts as at risk; written as one_time_buyer_days.")
    var oneTimeQuantile = 0.9

    @Option(help: "Also write the JSON to this file.")
    var out: String?

    func run() throws {
        guard let endDay = ChurnFitRunner.calibrationEndDay(parsing: calibrationEnd) else {
            throw ValidationError("--calibration-end: expected a date such as 1997-09-30, an RFC 3339 UTC time or epoch milliseconds, got \"\(calibrationEnd)\"")
        }
        guard let timeUnit = ChurnTimeUnit(rawValue: unit) else {
            throw ValidationError("--unit: expected days or weeks, got \"\(unit)\"")
        }
        guard oneTimeQuantile > 0, oneTimeQuantile <= 1 else {
            throw ValidationError("--one-time-quantile: expected a number above 0 and at most 1, got \(oneTimeQuantile)")
        }
        let options = ChurnFitRunner.Options(
            input: input, calibrationEndDay: endDay, unit: timeUnit, oneTimeBuyerQuantile: oneTimeQuantile, out: out)
        let outcome = try ChurnFitRunner.run(options) {
            printError("segd fit: \($0)")
        }
        print(outcome.json)
    }
}
