import CSegdSupport
import Foundation

/// Starts work on a thread of its own whose name the kernel knows too, so that `top -H`, `perf`
/// and gdb tell segd's threads apart. Foundation's `Thread.name` does not reach the kernel on
/// Linux: every thread showed its creator's name (`oot.default-qos`, a cut of libdispatch's
/// `com.apple.root.default-qos`).
enum NamedThread {
    /// Runs `body` on a new thread named `name` (the kernel keeps at most 15 bytes of it).
    static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            _ = segd_set_thread_name(name)
            body()
        }
        thread.name = name
        thread.start()
    }
}
