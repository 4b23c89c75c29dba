import CSegdSupport
import Foundation

/// Starts work on a thread of its own whose name the kernel knows too, so that `top -H`, `perf`
/// and gdb tell segd's threads apart. Foundation's `Thread.name` does not reach the kernel on
/// Linux: every thread showed its creator's name (`oot.default-qos`, a cut of libdispatch's
/// `com.apple.root.default-qos`).
///
/// A background thread (the snapshot's, the refit's) runs ``backgroundNiceSteps`` nicer, so that on a
/// machine with few cores the ingest threads win the CPU while it works: a snapshot's encoding
/// took 0.1–0.4 s of CPU at 100,000 customers, and beside a loaded loop on 2 cores that turned
/// into tens of milliseconds of queueing for every event in the meantime. It still gets about a
/// tenth of a busy core, and any idle one.
enum NamedThread {
    /// How much nicer than the process background threads run (up to 19); the ingest threads keep
    /// the process's nice value. Ten steps give a thread a tenth of the weight of one at the process's.
    static let backgroundNiceSteps: Int32 = 10

    /// Runs `body` on a new thread named `name` (the kernel keeps at most 15 bytes of it), at a
    /// lower priority when `background`.
    static func start(_ name: String, background: Bool = false, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            _ = segd_set_thread_name(name)
            if background { _ = segd_lower_thread_priority(backgroundNiceSteps) }
            body()
        }
        thread.name = name
        thread.start()
    }
}
