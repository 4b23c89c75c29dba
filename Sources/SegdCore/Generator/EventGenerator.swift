#if canImport(Glibc)
import Glibc
#endif

/// Synthetic shoppers for demos, tests and benchmarks: a deterministic stream (fixed by the seed)
/// of click, order and review events in the inbound wire format. Customers are drawn with a
/// Zipf-like skew (a few very active, a long tail of occasional ones), the mix is 80 % clicks,
/// 15 % orders and 5 % reviews, and the caller supplies each event's time.
public struct EventGenerator: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64 = 1
        public var customers = 100_000
        /// The Zipf exponent: customer k is drawn with weight 1/k^s.
        public var skew = 1.1
        public var customerPrefix = "c-"

        public init(seed: UInt64 = 1, customers: Int = 100_000, skew: Double = 1.1) {
            self.seed = seed
            self.customers = customers
            self.skew = skew
        }
    }

    private static let categories = ["books", "music", "electronics", "garden", "toys", "fashion", "sports", "home & kitchen"]
    private static let actions: [(ClickAction, Double)] = [
        (.view, 0.68), (.search, 0.14), (.addToCart, 0.10), (.wishlist, 0.03), (.removeFromCart, 0.02), (.checkout, 0.03),
    ]
    private static let ratings: [(Int, Double)] = [(5, 0.42), (4, 0.28), (3, 0.12), (2, 0.07), (1, 0.11)]

    private let options: Options
    private var random: SeededRandom
    /// Cumulative customer weights, normalised to end at 1, for drawing by binary search.
    private let cumulativeWeights: [Double]
    private var sequence: UInt64 = 0
    private var writer = JSONWriter(capacity: 512)

    public init(options: Options = Options()) {
        precondition(options.customers > 0, "at least one customer")
        self.options = options
        random = SeededRandom(seed: options.seed)
        var cumulative: [Double] = []
        cumulative.reserveCapacity(options.customers)
        var total = 0.0
        for rank in 1...options.customers {
            total += 1 / pow(Double(rank), options.skew)
            cumulative.append(total)
        }
        cumulativeWeights = cumulative.map { $0 / total }
    }

    /// The next event at `timestamp` (epoch milliseconds): its kind and JSON payload. The payload
    /// bytes are valid until the next call.
    public mutating func next(at timestamp: Int64) -> (kind: EventKind, json: [UInt8]) {
        sequence += 1
        let customer = drawCustomer()
        let roll = random.unit()
        let kind: EventKind = roll < 0.80 ? .click : roll < 0.95 ? .order : .review
        writer.reset()
        writer.beginObject()
        writer.key("event_id")
        writer.string("e-\(options.seed)-\(sequence)")
        writer.key("customer_id")
        writer.string("\(options.customerPrefix)\(customer)")
        writer.key("ts")
        writer.integer(timestamp)
        switch kind {
        case .click:
            writer.key("action")
            writer.string(pick(Self.actions).name)
            writer.key("category")
            writer.string(Self.categories[Int(random.next() % UInt64(Self.categories.count))])
            writer.key("product_id")
            writer.string("p-\(random.next() % 5_000)")
        case .order:
            // Log-uniform amounts between 5 and 400 dollars: many small baskets, a few large ones.
            let amount = Int64(500 * pow(80, random.unit()))
            writer.key("amount")
            writer.integer(amount)
            writer.key("currency")
            writer.string("USD")
            writer.key("items")
            writer.integer(Int64(1 + random.next() % 4))
        case .review:
            writer.key("rating")
            writer.integer(Int64(pick(Self.ratings)))
            writer.key("product_id")
            writer.string("p-\(random.next() % 5_000)")
        }
        writer.endObject()
        return (kind, writer.bytes)
    }

    /// An exponentially distributed gap with the given mean, for realistic event-time spacing.
    public mutating func exponentialGap(mean: Double) -> Int64 {
        Int64(-mean * log(1 - random.unit()))
    }

    private mutating func drawCustomer() -> Int {
        let target = random.unit()
        var low = 0
        var high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }

    private mutating func pick<Choice>(_ choices: [(Choice, Double)]) -> Choice {
        var roll = random.unit()
        for (choice, weight) in choices {
            if roll < weight { return choice }
            roll -= weight
        }
        return choices[choices.count - 1].0
    }
}
