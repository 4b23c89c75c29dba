import CSegdSupport
import Dispatch
import Synchronization

/// Runs the journal's fdatasync on a thread of its own, for the `interval` policy, as Redis runs
/// `appendfsync everysec`'s fsync on a background thread: the loop that appends goes on while the
/// disk takes what a second of events wrote. On the development machine an fdatasync of the
/// 12.6 MB that a second at 100,000 events/s journals took 7–12 ms, a stall that every event
/// arriving meanwhile waited out.
///
/// At most one sync runs at a time; its outcome waits until the journal collects it. Between syncs the
/// same thread starts writeback of each stretch the journal hands it, so the sync finds little left to
/// write. The journal keeps the descriptor open until all of it is done (it waits here before closing
/// or replacing its file).
final class BackgroundSync: Sendable {
    /// What a finished fdatasync came to.
    struct Outcome: Sendable {
        let failure: DurabilityError?
        let nanoseconds: UInt64
    }

    private enum Phase {
        case idle
        case running
        case finished(Outcome)
    }

    private let phase = Mutex<Phase>(.idle)
    private let queue = DispatchQueue(label: "segd-journal-sync")

    /// Starts an fdatasync of `descriptor` and returns true; returns false, starting nothing, while
    /// the previous sync has not been collected.
    func start(descriptor: CInt, path: String) -> Bool {
        let started = phase.withLock { phase in
            guard case .idle = phase else { return false }
            phase = .running
            return true
        }
        guard started else { return false }
        queue.async { [self] in
            let began = ContinuousClock.now
            var failure: DurabilityError?
            do throws(DurabilityError) {
                try PosixFile.syncData(descriptor: descriptor, path: path)
            } catch {
                failure = error
            }
            let outcome = Outcome(failure: failure, nanoseconds: JournalCounters.nanoseconds(began.duration(to: .now)))
            phase.withLock { $0 = .finished(outcome) }
        }
        return true
    }

    /// Starts writeback of `length` bytes at `offset` of `descriptor` on the sync thread, without waiting
    /// for it there either. Its result is not looked at: it only starts writing what the next fdatasync
    /// would write anyway, and that fdatasync reports any error of the writeback it started.
    func startWriteback(descriptor: CInt, offset: Int, length: Int) {
        queue.async {
            _ = segd_start_writeback(descriptor, Int64(offset), Int64(length))
        }
    }

    /// The outcome of a finished sync, handed out once; nil while one runs or when none was started.
    func collect() -> Outcome? {
        phase.withLock { phase in
            guard case .finished(let outcome) = phase else { return nil }
            phase = .idle
            return outcome
        }
    }

    /// Waits for a running sync and writeback to finish, then collects as ``collect()`` does.
    func wait() -> Outcome? {
        // The queue is serial: an empty block behind the work already queued returns once that is done.
        queue.sync {}
        return collect()
    }
}
