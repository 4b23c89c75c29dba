public import SegdCore

/// Every customer's purchases up to a calibration end day, read from a file of inbound messages
/// (`topic<TAB>json` per line, as `segd replay` reads them) with the daemon's own
/// ``MessageFileReader`` and ``EventDecoder``, so `segd fit` accepts exactly the orders the daemon
/// does. Owns one ``PurchaseSummary`` per customer and the counts of what was read.
///
/// Clicks, reviews and lines on other topics are ignored. A line the decoder refuses for any
/// other reason, or one without a TAB, is malformed: counted by reason, never fatal. That takes in
/// a broken click or review too, which the daemon would dead-letter just the same. Orders after
/// the calibration end day are counted and left out. Orders are sorted by customer and day
/// before they reach the summaries, so the input may be in any order and the counts of distinct
/// purchase days are exact.
public struct OrderHistory: Sendable {
    /// One summary per customer with an order on or before the calibration end day.
    public private(set) var summaries: [PurchaseSummary] = []
    /// Orders on or before the calibration end day.
    public private(set) var orders = 0
    /// Orders after the calibration end day, left out.
    public private(set) var ordersAfterEnd = 0
    /// Lines that decoded as clicks or reviews, or carried another topic.
    public private(set) var ignoredLines = 0
    /// Malformed lines by the reason the decoder gave (`frame_count` for a line without a TAB).
    public private(set) var malformedByReason: [RejectReason: Int] = [:]
    /// What was wrong with the first malformed line, for the report.
    public private(set) var firstMalformedDetail: String?
    /// Gaps between each customer's consecutive purchase days.
    public private(set) var gaps = InterpurchaseGaps()
    /// The currencies of the orders counted, sorted.
    public private(set) var currencies: [String] = []

    /// All malformed lines.
    public var malformedLines: Int { malformedByReason.values.reduce(0, +) }

    /// Reads `path` (`-` for standard input), keeping orders on or before UTC day `calibrationEndDay`.
    public static func read(path: String, calibrationEndDay: Int64) throws -> OrderHistory {
        var history = OrderHistory()
        var decoder = EventDecoder()
        var customerIndex: [String: UInt32] = [:]
        // (customer index << 32 | day, amount): one sortable key per order. Accepted event times
        // run from 1970 to 9999, so a day number is non-negative and fits the low 32 bits.
        var purchases: [(key: UInt64, amountMinor: Int64)] = []
        var currencies = Set<CurrencyCode>()
        let reader = try MessageFileReader(path: path)
        try reader.forEachMessage { topic, payload, frames in
            guard frames == 2 else {
                history.malformed(.frameCount, "a line without a TAB between topic and JSON")
                return
            }
            switch decoder.decode(topic: topic, payload: payload) {
            case .success(let event):
                guard event.kind == .order else {
                    history.ignoredLines += 1
                    return
                }
                let day = EventTime.day(event.timestamp)
                guard day <= calibrationEndDay else {
                    history.ordersAfterEnd += 1
                    return
                }
                let customer = String(
                    decoding: decoder.text[event.customerID.indices],
                    as: UTF8.self)
                let index = customerIndex[customer] ?? {
                    let next = UInt32(customerIndex.count)
                    customerIndex[customer] = next
                    return next
                }()
                purchases.append((UInt64(index) << 32 | UInt64(day), event.amountMinor))
                currencies.insert(event.currency)
                history.orders += 1
            case .failure(let rejection):
                if rejection.reason == .unknownTopic {
                    history.ignoredLines += 1
                } else {
                    history.malformed(rejection.reason, rejection.detail)
                }
            }
        }
        purchases.sort { $0.key < $1.key }
        history.summaries = [PurchaseSummary](repeating: PurchaseSummary(), count: customerIndex.count)
        var previous: UInt64?
        for purchase in purchases {
            let day = Int64(purchase.key & 0xFFFF_FFFF)
            history.summaries[Int(purchase.key >> 32)].record(day: day, amountMinor: purchase.amountMinor)
            // Sorted by customer, then day: a gap is the step to the next distinct day of the same customer.
            if let previous, previous >> 32 == purchase.key >> 32, previous != purchase.key {
                history.gaps.add(days: day - Int64(previous & 0xFFFF_FFFF))
            }
            previous = purchase.key
        }
        history.currencies = currencies.map(\.description).sorted()
        return history
    }

    private mutating func malformed(_ reason: RejectReason, _ detail: String) {
        malformedByReason[reason, default: 0] += 1
        if firstMalformedDetail == nil { firstMalformedDetail = detail }
    }
}
