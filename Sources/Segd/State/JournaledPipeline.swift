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

    /// Journals every message of `batch` (when durable), then applies each: what ``change(_:)``
    /// does for `.message`, for messages the receiver thread decoded already. Replay decodes the
    /// journaled messages again with the same decoder, so it rebuilds the same state. The batch's
    /// journal write runs while it is applied; ``commit()`` waits for it.
    func apply(_ batch: borrowing InboundBatch) throws(DurabilityError) {
        if let state {
            try batch.withEntries { (entry) throws(DurabilityError) in try state.journal(count: batch.count, encoded: entry) }
            try state.startWrite()
        }
        Self.accept(batch, into: &pipeline)
    }

    /// Applies every message of `batch` to `pipeline`, a group at a time, the memory each group's
    /// admissions will miss read together first (``SegmentEngine/readAheadAdmissions()``). One
    /// access to the pipeline for the whole batch: a class's stored property is checked for
    /// exclusive access at run time, at every access, which per message was about 1 % of the loop thread.
    private static func accept(_ batch: borrowing InboundBatch, into pipeline: inout Pipeline) {
        for groupStart in stride(from: 0, to: batch.count, by: SegmentEngine.readAheadGroupSize) {
            let group = groupStart..<min(groupStart + SegmentEngine.readAheadGroupSize, batch.count)
            batch.text.withUnsafeBytes { text in
                for index in group {
                    if let id = batch.eventID(index) { pipeline.engine.announceAdmission(ofEventID: UnsafeRawBufferPointer(rebasing: text[id.indices])) }
                }
            }
            pipeline.engine.readAheadAdmissions()
            for index in group {
                batch.withMessage(index) { message, _, topic, payload in
                    pipeline.apply(
                        message.decoding, rejections: batch.rejections, text: batch.text,
                        message: RawMessage(topic: topic, payload: payload, frames: message.frames), receivedAt: message.receivedAt)
                }
            }
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
