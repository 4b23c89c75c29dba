import SegdCore
import SegdDurability

/// One change of engine state as the journal records it. Replaying the entries after a snapshot,
/// in order, through ``apply(to:)`` rebuilds the engine exactly — customers, clock, timers and
/// the outbound sequence number — because these are the only inputs the engine has besides the
/// snapshot: inbound messages with their receipt time, idle clock advances, rule reloads, changes
/// of the dedup capacity, the churn refit's start and outcome, and privacy erasures.
///
/// A message's bytes are borrowed (they point into a receive buffer or a journal segment) and
/// valid only for the call that got the entry.
enum JournalEntry {
    /// An inbound message: `frames` frames in all, `topic` the first, `payload` the second (empty
    /// when there was none), received at wall-clock `receivedAt`.
    case message(receivedAt: Int64, frames: Int, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer)
    /// The idle loop moved the engine clock to this event time.
    case clockAdvance(Int64)
    /// SIGHUP or a start with changed rules put these segments in force.
    case reload([EngineConfiguration.Segment])
    /// A start or reload with a changed `[engine] dedup_max_ids` put this capacity in force.
    case dedupCapacity(Int)
    /// A churn refit was taken at this point (its job runs elsewhere; it moves the next refit time).
    case refitTaken
    /// The refit's model was installed, or the refit failed.
    case refitInstalled(ChurnModel)
    case refitFailed
    /// `segd forget`: the customer with this id was erased.
    case forget(customerID: String)

    private enum Kind: UInt8 {
        case message = 1, clockAdvance, reload, refitTaken, refitInstalled, refitFailed, forget, dedupCapacity
    }

    /// Encodes the entry into `writer` (reset first), ready for `Journal.append`.
    func encode(into writer: inout BinaryWriter) {
        writer.reset()
        switch self {
        case .message(let receivedAt, let frames, let topic, let payload):
            Self.appendMessage(receivedAt: receivedAt, frames: frames, topic: topic, payload: payload, to: &writer)
        case .clockAdvance(let time):
            writer.write(Kind.clockAdvance.rawValue)
            writer.write(time)
        case .reload(let segments):
            writer.write(Kind.reload.rawValue)
            EngineConfiguration.Segment.encode(segments, into: &writer)
        case .dedupCapacity(let capacity):
            writer.write(Kind.dedupCapacity.rawValue)
            writer.write(Int64(capacity))
        case .refitTaken:
            writer.write(Kind.refitTaken.rawValue)
        case .refitInstalled(let model):
            writer.write(Kind.refitInstalled.rawValue)
            model.encode(into: &writer)
        case .refitFailed:
            writer.write(Kind.refitFailed.rawValue)
        case .forget(let customerID):
            writer.write(Kind.forget.rawValue)
            writer.write(customerID)
        }
    }

    /// Appends the encoding of `.message(receivedAt, frames, topic, payload)` to `writer`, without
    /// resetting it: the receiver thread encodes a whole batch's entries into one buffer
    /// (``InboundBatch``). Returns where the topic and payload bytes landed in `writer.bytes`.
    @discardableResult
    static func appendMessage(
        receivedAt: Int64, frames: Int, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, to writer: inout BinaryWriter
    ) -> (topic: Range<Int>, payload: Range<Int>) {
        writer.write(Kind.message.rawValue)
        writer.write(receivedAt)
        writer.write(UInt32(frames))
        writer.write(lengthPrefixed: topic)
        let topicRange = writer.count - topic.count..<writer.count
        writer.write(lengthPrefixed: payload)
        return (topicRange, writer.count - payload.count..<writer.count)
    }

    /// Decodes the journal record `payload` (record `sequence` of segment `path`, for errors) and
    /// calls `body` with it. Message bytes point into `payload`.
    static func decode<Result>(
        _ payload: UnsafeRawBufferPointer, sequence: UInt64, path: String, _ body: (JournalEntry) throws -> Result
    ) throws -> Result {
        var reader = BinaryReader(Array(payload), path: "\(path) record \(sequence)")
        let kindByte = try reader.read(UInt8.self)
        guard let kind = Kind(rawValue: kindByte) else {
            throw DurabilityError(.invalidValue("unknown journal entry kind \(kindByte)"), path: reader.path, offset: 0)
        }
        let entry: JournalEntry
        switch kind {
        case .message:
            let receivedAt = try reader.read(Int64.self)
            let frames = Int(try reader.read(UInt32.self))
            let topicRange = try reader.skipLengthPrefixed()
            let payloadRange = try reader.skipLengthPrefixed()
            // Point into the record itself rather than the reader's copy, which dies with this scope.
            let topic = UnsafeRawBufferPointer(rebasing: payload[topicRange])
            let body = UnsafeRawBufferPointer(rebasing: payload[payloadRange])
            entry = .message(receivedAt: receivedAt, frames: frames, topic: topic, payload: body)
        case .clockAdvance:
            entry = .clockAdvance(try reader.read(Int64.self))
        case .reload:
            entry = .reload(try EngineConfiguration.Segment.decodeList(&reader))
        case .dedupCapacity:
            let capacity = try reader.read(Int64.self)
            guard capacity > 0, capacity <= Int64(SegdConfiguration.dedupCapacityRange.upperBound) else {
                throw DurabilityError(.invalidValue("dedup capacity \(capacity) is outside \(SegdConfiguration.dedupCapacityRange)"), path: reader.path, offset: 1)
            }
            entry = .dedupCapacity(Int(capacity))
        case .refitTaken:
            entry = .refitTaken
        case .refitInstalled:
            entry = .refitInstalled(try ChurnModel(decoding: &reader))
        case .refitFailed:
            entry = .refitFailed
        case .forget:
            entry = .forget(customerID: try reader.readString())
        }
        try reader.expectEnd()
        return try body(entry)
    }

    /// What applying an entry produced besides state changes and outbound messages.
    enum Effect {
        case none
        /// The refit job ``refitTaken`` took: the live loop runs it; replay drops it, since its
        /// outcome is journaled on its own.
        case refit(ChurnRefit)
        /// The reloaded rules did not compile and the previous ones stay, live and in replay alike.
        case reloadFailed(SegmentDefinitionError)
        /// The customer ``forget`` named was erased, or was not known.
        case forgot(Bool)
    }

    /// Applies the entry to `pipeline`: the one place live ingest and journal replay change state.
    @discardableResult
    func apply(to pipeline: inout Pipeline) -> Effect {
        switch self {
        case .message(let receivedAt, let frames, let topic, let payload):
            if frames == 2 {
                pipeline.ingest(topic: topic, payload: payload, receivedAt: receivedAt)
            } else {
                pipeline.rejectFrameCount(topic: topic, payload: payload, frames: frames)
            }
        case .clockAdvance(let time):
            pipeline.engine.advanceClock(to: time)
        case .reload(let segments):
            do {
                try pipeline.engine.reload(segments: segments)
            } catch {
                return .reloadFailed(error)
            }
        case .dedupCapacity(let capacity):
            pipeline.engine.changeDedupCapacity(to: capacity)
        case .refitTaken:
            return pipeline.engine.takeChurnRefit().map(Effect.refit) ?? .none
        case .refitInstalled(let model):
            pipeline.engine.installChurnModel(model)
        case .refitFailed:
            pipeline.engine.noteChurnRefitFailure()
        case .forget(let customerID):
            return .forgot(pipeline.engine.forget(customerID: customerID))
        }
        return .none
    }
}
