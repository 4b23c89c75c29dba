import SegdDurability

/// The `[churn]` section: the model to start with, when a customer counts as at risk and
/// recovered, the horizons of the expected-purchase features, and the background refit.
public struct ChurnSettings: Sendable, Equatable {
    /// The model in force at start; nil until the first refit when none was configured.
    public var model: ChurnModel?
    /// `churn.risk` when P(alive) falls below this.
    public var threshold: Double
    /// `churn.recovered` when a purchase lifts P(alive) to at least threshold + hysteresis, so a
    /// customer hovering at the threshold does not flap.
    public var hysteresis: Double
    /// Horizons of `expected_orders_<horizon>`; `expected_value` and the value at risk use the first.
    public var horizons: [WindowSpec]
    /// The quantile of the population's inter-purchase gaps after which a one-time buyer counts
    /// as at risk, used when the model is refitted.
    public var oneTimeBuyerQuantile: Double
    /// Event time between background refits of the model on every customer's purchases; nil for never.
    public var refitIntervalMilliseconds: Int64?
    /// A refit is skipped (and the model kept) with fewer repeat customers than this.
    public var refitMinimumRepeatCustomers: Int

    public init(
        model: ChurnModel?,
        threshold: Double = 0.5,
        hysteresis: Double = 0.1,
        horizons: [WindowSpec] = [WindowSpec(unit: .day, length: 30)],
        oneTimeBuyerQuantile: Double = 0.9,
        refitIntervalMilliseconds: Int64? = nil,
        refitMinimumRepeatCustomers: Int = 100
    ) {
        self.model = model
        self.threshold = threshold
        self.hysteresis = hysteresis
        self.horizons = horizons
        self.oneTimeBuyerQuantile = oneTimeBuyerQuantile
        self.refitIntervalMilliseconds = refitIntervalMilliseconds
        self.refitMinimumRepeatCustomers = refitMinimumRepeatCustomers
    }
}

extension ChurnSettings {
    func encode(into writer: inout BinaryWriter) {
        writer.write(optional: model) { writer, model in model.encode(into: &writer) }
        writer.write(threshold)
        writer.write(hysteresis)
        writer.write(list: horizons) { writer, horizon in horizon.encode(into: &writer) }
        writer.write(oneTimeBuyerQuantile)
        writer.write(optional: refitIntervalMilliseconds) { writer, interval in writer.write(interval) }
        writer.write(int: refitMinimumRepeatCustomers)
    }

    init(decoding reader: inout BinaryReader) throws(DurabilityError) {
        let model = try reader.readOptional { reader throws(DurabilityError) in try ChurnModel(decoding: &reader) }
        self.init(model: model, threshold: try reader.readDouble(), hysteresis: try reader.readDouble())
        let horizonsAt = reader.position
        horizons = try reader.readList { reader throws(DurabilityError) in try WindowSpec(decoding: &reader) }
        // `expected_value` and the value at risk read the first horizon.
        guard !horizons.isEmpty else { throw reader.invalid("churn settings have no horizon", at: horizonsAt) }
        oneTimeBuyerQuantile = try reader.readDouble()
        let intervalAt = reader.position
        refitIntervalMilliseconds = try reader.readOptional { reader throws(DurabilityError) in try reader.read(Int64.self) }
        if let interval = refitIntervalMilliseconds, !(1...EventField.maxEpochMilliseconds).contains(interval) {
            throw reader.invalid("refit interval \(interval) ms is not a positive duration", at: intervalAt)
        }
        refitMinimumRepeatCustomers = try reader.readInt()
    }
}
