import Logging
import SegdCore
import SegdDurability

/// The ingest loop's pipeline with its durable state: every change goes through ``change(_:)``,
/// journaled first when `[durability]` is on. Owned by the loop thread.
final class JournaledPipeline {
    var pipeline: Pipeline
    /// Nil when `[durability] enabled = false`: state lives in memory only.
    let state: StateStore?

    /// Recovers the saved state when durability is on, else starts empty.
    init(configuration: SegdConfiguration, logger: Logger, metrics: SegdMetrics) throws {
        guard configuration.durability.enabled else {
            pipeline = try LivePipelineFactory.make(configuration)
            state = nil
            return
        }
        let (pipeline, state, report) = try StateRecovery.recover(configuration, logger: logger, metrics: metrics)
        self.pipeline = pipeline
        self.state = state
        logger.notice("state recovered", metadata: [
            "directory": "\(configuration.durability.directory)", "snapshot": "\(report.snapshot ?? "none")",
            "journal_records_replayed": "\(report.recordsReplayed)", "customers": "\(pipeline.engine.store.count)",
            "next_seq": "\(pipeline.engine.nextSeq)", "duration": "\(report.duration)",
        ])
    }

    var engine: SegmentEngine { pipeline.engine }

    /// Journals `entry` (when durable) and applies it.
    @discardableResult
    func change(_ entry: JournalEntry) throws(DurabilityError) -> JournalEntry.Effect {
        guard let state else { return entry.apply(to: &pipeline) }
        return try state.record(entry, to: &pipeline)
    }

    /// Calls `body` with the producer stamp (`producer_id` bytes, `producer_seq`) of the message
    /// ``change(_:)`` decoded last, if it had a valid one. Call right after a two-frame message.
    func withProducerStamp(_ body: (_ id: UnsafeRawBufferPointer, _ seq: Int64) -> Void) {
        guard let stamp = pipeline.decoder.producerStamp else { return }
        pipeline.decoder.text.withUnsafeBytes { text in
            body(UnsafeRawBufferPointer(rebasing: text[stamp.id.indices]), stamp.seq)
        }
    }

    /// Makes the changes so far durable as the fsync policy says; call before publishing their outcome.
    func commit() throws(DurabilityError) {
        try state?.commit()
    }
}

/// The pipeline belongs to the loop thread.
@available(*, unavailable)
extension JournaledPipeline: Sendable {}
