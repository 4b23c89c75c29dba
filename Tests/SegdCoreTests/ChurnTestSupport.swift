import Foundation
import SegdCore

/// The CDNOW data of Fader, Hardie & Lee (2005) as the churn tests read it, both vendored: the
/// cohort sample (Fixtures/CDNOW_sample.txt) and the full cohort (Fixtures/CDNOW_master.txt).
enum CDNOW {
    /// One transaction row: customer, UTC day number, dollars in cents.
    struct Row {
        var customer: String
        var day: Int64
        var cents: Int64
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/CDNOW_sample.txt").path
    static let masterPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/CDNOW_master.txt").path

    /// The paper's estimates on the sample's 39-week calibration, in weeks (Fader, Hardie & Lee
    /// 2005; LL = −9582.4).
    static let paperEstimates = BGNBDParameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    /// 1997-09-30, the end of the paper's 39-week calibration period.
    static let calibrationEnd = day("19970930")
    /// 1998-06-30, the last day of the data.
    static let lastDay = day("19980630")

    /// The rows of a CDNOW file: whitespace-separated fields, CRLF line ends, customer id first
    /// and date, CDs, dollars last; a header line (the master file's) is skipped.
    static func rows(_ path: String) throws -> [Row] {
        let text = try String(contentsOfFile: path, encoding: .ascii)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 4, fields[0].allSatisfy(\.isNumber) else { return nil }
            let dollars = fields[fields.count - 1]
            return Row(
                customer: String(fields[0]),
                day: day(fields[fields.count - 3]),
                cents: Int64(dollars.replacingOccurrences(of: ".", with: ""))!)
        }
    }

    /// The UTC day number of a `YYYYMMDD` date.
    static func day(_ text: some StringProtocol) -> Int64 {
        let digits = Int64(text)!
        return CivilDate(year: digits / 10_000, month: digits / 100 % 100, day: digits % 100).daysSinceEpoch
    }

    /// Each customer's summary of the rows on or before `endDay`, fed in day order.
    static func summaries(_ rows: [Row], through endDay: Int64) -> [String: PurchaseSummary] {
        var summaries: [String: PurchaseSummary] = [:]
        for row in rows.sorted(by: { ($0.customer, $0.day) < ($1.customer, $1.day) }) where row.day <= endDay {
            summaries[row.customer, default: PurchaseSummary()].record(day: row.day, amountMinor: row.cents)
        }
        return summaries
    }

    /// The BG/NBD sample of `rows` calibrated to `endDay`.
    static func sample(_ rows: [Row], through endDay: Int64, unit: ChurnTimeUnit) -> BGNBDSample {
        var sample = BGNBDSample(unit: unit)
        for summary in summaries(rows, through: endDay).values { sample.add(summary, onDay: endDay) }
        return sample
    }

    /// (x, t_x, T) of every customer in `rows` on `endDay`, in customer order.
    static func observations(_ rows: [Row], through endDay: Int64, unit: ChurnTimeUnit) -> [BGNBDObservation] {
        summaries(rows, through: endDay).sorted { $0.key < $1.key }.map { $0.value.observation(onDay: endDay, unit: unit) }
    }
}

extension Double {
    /// This value rounded to `places` decimals, as the paper reports its estimates.
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
