import SegdCore

/// `segd replay`: runs the live engine code path over a file of inbound messages in event time,
/// writing every outbound message in file form and returning the JSON summary. Deterministic:
/// the same config and input give the same bytes, run after run.
public struct ReplayRunner {
    public struct Options: Sendable {
        /// The input file of `topic<TAB>json` lines, `-` for standard input.
        public var input: String
        /// Where to write outbound messages, `-` for standard output; nil to discard them.
        public var emit: String?
        /// After the last event, advance the clock to this event time, firing what falls due.
        public var until: Int64?
        /// Where to write every customer's final features and memberships as JSON lines.
        public var profiles: String?

        public init(input: String, emit: String? = nil, until: Int64? = nil, profiles: String? = nil) {
            self.input = input
            self.emit = emit
            self.until = until
            self.profiles = profiles
        }
    }

    /// Outbound messages are written in batches of this many, to bound memory on large inputs.
    private static let flushThreshold = 4_096

    /// `report` receives a line for standard error when a churn refit fails. A failure repeating the
    /// one before it is counted instead, and the count reported once the repeats end: data that
    /// cannot be fitted fails the same way at every refit interval, which in a long file is
    /// thousands of identical lines.
    public static func run(configuration: SegdConfiguration, options: Options, report: (String) -> Void = { _ in }) throws -> String {
        var lastFailure: String?
        var repeats = 0
        func reportRepeats() {
            guard repeats > 0 else { return }
            report("churn model refit failed \(repeats) more time\(repeats == 1 ? "" : "s") with the same error")
            repeats = 0
        }
        func reportRefit(_ failure: ChurnFitError?) {
            guard let failure else { return }
            let text = "\(failure)"
            if text == lastFailure {
                repeats += 1
                return
            }
            reportRepeats()
            lastFailure = text
            report("churn model refit failed, keeping the model in force: \(text)")
        }
        var pipeline = try LivePipelineFactory.make(configuration)
        var emitter = try options.emit.map { path throws(FileError) in try MessageFileWriter(path: path) }
        let reader = try MessageFileReader(path: options.input)
        // One receipt time for the whole file, so `future` is judged the same way on every line.
        let startedAt = WallClock.milliseconds()
        // A group of lines at a time, as the live loop applies a received batch (Pipeline.ingest).
        try reader.forEachGroup { group in
            try pipeline.ingest(group, receivedAt: startedAt) { pipeline in
                if pipeline.engine.churnRefitDue { reportRefit(pipeline.engine.refitChurnModelIfDue()) }
                if pipeline.engine.outbound.count >= flushThreshold { try drain(&pipeline, into: &emitter) }
            }
        }
        if let until = options.until {
            pipeline.engine.advanceClock(to: until)
            reportRefit(pipeline.engine.refitChurnModelIfDue())
        }
        reportRepeats()
        try drain(&pipeline, into: &emitter)
        try emitter?.flush()
        if let path = options.profiles { try ProfileFile.write(pipeline.engine, to: path) }
        return EngineSummary.json(pipeline.engine)
    }

    private static func drain(_ pipeline: inout Pipeline, into emitter: inout MessageFileWriter?) throws {
        if emitter != nil {
            try pipeline.engine.outbound.forEach { topic, json in try emitter!.writeMessage(topic: topic, json: json) }
        }
        pipeline.engine.outbound.removeAll()
    }

}

/// Builds the pipeline the way every mode (live, replay, demo) uses it, so they cannot drift apart.
enum LivePipelineFactory {
    static func make(_ configuration: SegdConfiguration) throws -> Pipeline {
        var pipeline = try Pipeline(configuration: configuration.engine, maxPayloadBytes: configuration.ingest.maxMessageBytes)
        pipeline.engine.deadLetterPayloadBytes = configuration.publish.deadLetterPayloadBytes
        return pipeline
    }
}
