public import SegdCore

/// How the in-process benchmarks feed an engine, as the daemon's ingest loop does.
public enum Ingest {
    /// Outbound messages are discarded every this many events, as the ingest loop publishes after
    /// each receive batch (`[ingest] batch_size`, default 512).
    public static let batch = 512
    /// Wall-clock receipt time given to the engine: far enough ahead that no generated event is `future`.
    public static let receivedAt = Int64.max / 4

    /// Ingests the messages as `segd replay` does: a group at a time (`Pipeline.ingest(_:receivedAt:afterEach:)`).
    public static func ingestAll(_ prepared: PreparedEvents, _ pipeline: inout Pipeline, _ indices: Range<Int>) {
        var index = indices.lowerBound
        prepared.withMessages(indices) { messages in
            pipeline.ingest(messages, receivedAt: receivedAt) { pipeline in
                if index % batch == batch - 1 { pipeline.engine.outbound.removeAll() }
                index += 1
            }
        }
        pipeline.engine.outbound.removeAll()
    }
}
