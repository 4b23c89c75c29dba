import Dispatch
import Synchronization

/// Writes one batch of journal records at a time on a thread of its own, so that the thread that
/// appended them can go on (the ingest loop applies the batch meanwhile) and wait only when it
/// must: before it publishes anything the batch caused. On the development machine the kernel's
/// copy of each batch into the page cache was the largest single cost of the loop thread.
///
/// The bytes travel to the write and back: ``start(_:at:descriptor:path:)`` takes the buffer,
/// ``wait()`` returns it with the outcome, so the journal can reuse its capacity. The journal keeps
/// the descriptor open until the write has been waited for.
final class BackgroundWrite: Sendable {
    /// A write that has finished: its bytes, and the error if it failed.
    struct Finished: Sendable {
        var bytes: [UInt8]
        var failure: DurabilityError?
    }

    /// The bytes handed to ``start(_:at:descriptor:path:)`` until the write takes them, then the
    /// finished write until ``wait()`` takes it: held here rather than captured, so that when the
    /// journal gets its buffer back no other reference to it is left and reusing it copies nothing.
    private let pending = Mutex<[UInt8]?>(nil)
    private let finished = Mutex<Finished?>(nil)
    private let queue = DispatchQueue(label: "segd-journal-write")

    /// Starts writing `bytes` at `offset` of `descriptor`. Only after ``wait()`` may another start.
    func start(_ bytes: consuming [UInt8], at offset: Int, descriptor: CInt, path: String) {
        var bytes = Optional(bytes)
        pending.withLock { $0 = bytes.take() }
        queue.async { [self] in
            // Released when this block returns, before a `wait()` behind it can take the bytes back.
            guard let bytes = pending.withLock({ $0.take() }) else { preconditionFailure("a journal write started without bytes") }
            var failure: DurabilityError?
            do throws(DurabilityError) {
                try bytes.withRawBytes { (raw) throws(DurabilityError) in
                    try PosixFile.write(raw, at: offset, descriptor: descriptor, path: path)
                }
            } catch {
                failure = error
            }
            finished.withLock { $0 = Finished(bytes: bytes, failure: failure) }
        }
    }

    /// Waits for the write started last, if it has not been waited for, and returns it.
    func wait() -> Finished? {
        // The queue is serial: an empty block behind the write returns once it is done.
        queue.sync {}
        return finished.withLock { finished in
            defer { finished = nil }
            return finished
        }
    }
}
