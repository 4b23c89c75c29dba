/// The one path every inbound message takes, live or replayed: decode and validate, check the
/// currency, then apply to the engine, or count and dead-letter with the reason. Transports hand
/// it raw frames and drain ``SegmentEngine/outbound`` afterwards.
public struct Pipeline: Sendable {
    public private(set) var decoder: EventDecoder
    public var engine: SegmentEngine

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
        let decoded = decoder.decode(topic: topic, payload: payload)
        accept(decoded, text: decoder.text, topic: topic, payload: payload, receivedAt: receivedAt)
    }

    /// The part of ``ingest(topic:payload:receivedAt:)`` after decoding: `decoded` is what an
    /// ``EventDecoder`` made of the two-frame message `[topic, payload]`, its text ranges pointing
    /// into `text`. For an ingest loop that decodes on another thread.
    public mutating func accept(
        _ decoded: Result<DecodedEvent, Rejection>, text: [UInt8],
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: Int64
    ) {
        switch decoded {
        case .success(let event):
            if event.kind == .order, event.currency != engine.configuration.currency {
                let detail = "field \"currency\": orders must be in \(engine.configuration.currency) (the [engine] currency), got \(event.currency)"
                engine.reject(Rejection(.currency, detail), topic: topic, payload: payload, frames: 2)
                return
            }
            if let rejection = engine.apply(event, text: text, receivedAt: receivedAt) {
                engine.reject(rejection, topic: topic, payload: payload, frames: 2)
            }
        case .failure(let rejection):
            engine.reject(rejection, topic: topic, payload: payload, frames: 2)
        }
    }

    /// Dead-letters a message that did not have exactly two frames. `payload` is its second frame
    /// (empty when there was none).
    public mutating func rejectFrameCount(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, frames: Int) {
        let detail = "expected 2 frames [topic, json], got \(frames)"
        engine.reject(Rejection(.frameCount, detail), topic: topic, payload: payload, frames: frames)
    }
}
