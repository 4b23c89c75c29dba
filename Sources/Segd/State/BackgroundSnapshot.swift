import Foundation
import SegdCore
import SegdDurability
import Synchronization

/// A snapshot written on a thread of its own from a copy of the engine, so ingest goes on while
/// a million customers are encoded and fsynced. The copy is cheap: the engine's state is in
/// copy-on-write arrays, so the loop pays for copying an array only when it next writes to it —
/// the same trick as Redis's fork, without the fork.
final class BackgroundSnapshot: Sendable {
    /// A snapshot that reached the disk.
    struct Written: Sendable {
        let path: String
        let journalSequence: UInt64
        let bytes: Int
        let duration: Duration
    }

    private let outcome = Mutex<Result<Written, DurabilityError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts writing `engine` as the snapshot covering the journal up to `journalSequence`;
    /// `finished` is called on the writer's thread when it is done (to wake the loop).
    init(
        _ engine: SegmentEngine, journalSequence: UInt64, directory: String, retain: Int,
        finished: @escaping @Sendable () -> Void
    ) {
        NamedThread.start("segd-snapshot", background: true) { [self] in
            let result = Self.write(engine, journalSequence: journalSequence, directory: directory, retain: retain)
            outcome.withLock { $0 = result }
            done.signal()
            finished()
        }
    }

    /// The outcome once the writer has finished, without waiting.
    var result: Result<Written, DurabilityError>? { outcome.withLock { $0 } }

    /// Waits for the writer and returns its outcome.
    func wait() -> Result<Written, DurabilityError> {
        done.wait()
        done.signal()
        return outcome.withLock { $0! }
    }

    /// Encodes and writes a snapshot on the calling thread.
    static func write(_ engine: SegmentEngine, journalSequence: UInt64, directory: String, retain: Int) -> Result<Written, DurabilityError> {
        let started = ContinuousClock.now
        var writer = BinaryWriter()
        engine.encodeSnapshot(into: &writer)
        do {
            let path = try SnapshotFile.write(writer.bytes, journalSequence: journalSequence, in: directory, retain: retain)
            return .success(Written(path: path, journalSequence: journalSequence, bytes: writer.count, duration: started.duration(to: .now)))
        } catch {
            return .failure(error)
        }
    }
}
