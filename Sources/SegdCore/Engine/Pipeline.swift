/// The one path every inbound message takes, live or replayed: decode and validate, check the
/// currency, then apply to the engine, or count and dead-letter with the reason. Transports hand
/// it raw frames and drain ``SegmentEngine/outbound`` afterwards.
public struct Pipeline: Sendable {
    public private(set) var decoder: EventDecoder
    public var engine: SegmentEngine
    /// For ``ingest(_:receivedAt:afterEach:)``: a decoder per message of a group, each keeping its
    /// message's text until the group is applied (made at the first group), their verdicts, and
    /// the group's rejections.
    private var groupDecoders: [EventDecoder] = []
    private var groupOutcomes: [DecodingOutcome] = []
    private var groupRejections: [Rejection] = []
    /// Where decoders write an event before it is applied or joins ``groupOutcomes``.
    private var scratchEvent = DecodedEvent.blank()

    public init(configuration: EngineConfiguration, maxPayloadBytes: Int) throws(SegmentDefinitionError) {
        decoder = EventDecoder(maxPayloadBytes: maxPayloadBytes)
        engine = try SegmentEngine(configuration: configuration)
    }

    /// A pipeline around an engine that already has state (restored from a snapshot).
    public init(engine: SegmentEngine, maxPayloadBytes: Int) {
        decoder = EventDecoder(maxPayloadBytes: maxPayloadBytes)
        self.engine = engine
    }

    /// Processes one two-frame message `[topic, payload]` received at wall-clock time `receivedAt`
    /// (epoch milliseconds; replay passes the time the replay started).
    public mutating func ingest(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: Int64) {
        if let rejection = decoder.decode(topic: topic, payload: payload, into: &scratchEvent) {
            engine.reject(rejection, topic: topic, payload: payload, frames: 2)
        } else {
            accept(scratchEvent, text: decoder.text, topic: topic, payload: payload, receivedAt: receivedAt)
        }
    }

    /// The part of ``ingest(topic:payload:receivedAt:)`` after decoding, for a message decoded
    /// earlier or on another thread: `outcome` is the verdict on `message`, an event's text ranges
    /// pointing into `text` and a rejection's index into `rejections`.
    public mutating func apply(
        _ outcome: DecodingOutcome, rejections: [Rejection], text: [UInt8], message: RawMessage, receivedAt: Int64
    ) {
        switch outcome {
        case .event(let event):
            accept(event, text: text, topic: message.topic, payload: message.payload, receivedAt: receivedAt)
        case .rejection(let index):
            engine.reject(rejections[index], topic: message.topic, payload: message.payload, frames: 2)
        case .notTwoFrames:
            rejectFrameCount(topic: message.topic, payload: message.payload, frames: message.frames)
        }
    }

    /// Applies a decoded event, or dead-letters it when the engine refuses it.
    private mutating func accept(_ event: DecodedEvent, text: [UInt8], topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: Int64) {
        if event.kind == .order, event.currency != engine.configuration.currency {
            let detail = "field \"currency\": orders must be in \(engine.configuration.currency) (the [engine] currency), got \(event.currency)"
            engine.reject(Rejection(.currency, detail), topic: topic, payload: payload, frames: 2)
            return
        }
        if let rejection = engine.apply(event, text: text, receivedAt: receivedAt) {
            engine.reject(rejection, topic: topic, payload: payload, frames: 2)
        }
    }

    /// Processes `messages`, received at `receivedAt`, as ``ingest(topic:payload:receivedAt:)``
    /// (or ``rejectFrameCount(topic:payload:frames:)``) would one by one and in order, calling
    /// `afterEach` after each; but a group of ``SegmentEngine/readAheadGroupSize`` at a time,
    /// decoded first so that the memory their admissions will miss is read together
    /// (``SegmentEngine/readAheadAdmissions()``), as the live loop applies a received batch.
    /// Decoding reads nothing the engine holds, so what comes out is the same.
    public mutating func ingest<Failure: Error>(
        _ messages: UnsafeBufferPointer<RawMessage>, receivedAt: Int64, afterEach: (inout Pipeline) throws(Failure) -> Void
    ) throws(Failure) {
        if groupDecoders.isEmpty {
            groupDecoders = Array(repeating: EventDecoder(maxPayloadBytes: decoder.maxPayloadBytes), count: SegmentEngine.readAheadGroupSize)
        }
        for groupStart in stride(from: 0, to: messages.count, by: SegmentEngine.readAheadGroupSize) {
            let group = groupStart..<min(groupStart + SegmentEngine.readAheadGroupSize, messages.count)
            groupOutcomes.removeAll(keepingCapacity: true)
            groupRejections.removeAll(keepingCapacity: true)
            for (slot, message) in zip(groupDecoders.indices, messages[group]) {
                guard message.frames == 2 else {
                    groupOutcomes.append(.notTwoFrames)
                    continue
                }
                if let rejection = groupDecoders[slot].decode(topic: message.topic, payload: message.payload, into: &scratchEvent) {
                    groupOutcomes.append(.rejection(groupRejections.count))
                    groupRejections.append(rejection)
                } else {
                    groupDecoders[slot].text.withUnsafeBytes { engine.announceAdmission(ofEventID: UnsafeRawBufferPointer(rebasing: $0[scratchEvent.eventID.indices])) }
                    groupOutcomes.append(.event(scratchEvent))
                }
            }
            engine.readAheadAdmissions()
            for (slot, message) in zip(groupDecoders.indices, messages[group]) {
                apply(groupOutcomes[slot], rejections: groupRejections, text: groupDecoders[slot].text, message: message, receivedAt: receivedAt)
                try afterEach(&self)
            }
        }
    }

    /// Dead-letters a message that did not have exactly two frames. `payload` is its second frame
    /// (empty when there was none).
    public mutating func rejectFrameCount(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, frames: Int) {
        let detail = "expected 2 frames [topic, json], got \(frames)"
        engine.reject(Rejection(.frameCount, detail), topic: topic, payload: payload, frames: frames)
    }
}

/// One inbound message as a reader hands it on: its first frame, its second (empty when it had
/// one) and how many frames it had, the bytes valid while the reader's call lasts.
public struct RawMessage {
    public var topic: UnsafeRawBufferPointer
    public var payload: UnsafeRawBufferPointer
    public var frames: Int

    public init(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, frames: Int) {
        self.topic = topic
        self.payload = payload
        self.frames = frames
    }
}

/// A decoder's verdict on a message held for applying later. Plain data, so that it is copied as
/// bytes: the holder keeps a rejection, with its text, in a list beside.
public enum DecodingOutcome: Sendable {
    /// The message did not have two frames, so it was not decoded.
    case notTwoFrames
    /// An event, its text ranges pointing into the holder's text.
    case event(DecodedEvent)
    /// A rejection, at this index of the holder's list.
    case rejection(Int)
}
