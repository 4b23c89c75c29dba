import Foundation
import Synchronization
@testable import Segd
import Testing

@Suite("Named threads")
struct NamedThreadTests {
    /// The name and nice value the kernel reports for the calling thread (/proc/thread-self/stat:
    /// the name in parentheses, then fields 3… of which the nice value is field 19).
    static func kernelView() -> (name: String, nice: Int)? {
        guard let stat = try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
        return (String(stat[stat.index(after: open)..<close]), nice)
    }

    /// Starts a thread and returns what the kernel says of it from inside.
    static func view(of name: String, background: Bool) -> (name: String, nice: Int)? {
        let seen = Mutex<(name: String, nice: Int)?>(nil)
        let done = DispatchSemaphore(value: 0)
        NamedThread.start(name, background: background) {
            let view = kernelView()
            seen.withLock { $0 = view }
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return seen.withLock { $0 }
    }

    @Test("a background thread runs ten steps nicer than the process (at most 19); others keep its nice value; both carry their names")
    func backgroundPriority() throws {
        let process = try #require(Self.kernelView()).nice
        let foreground = try #require(Self.view(of: "test-fore", background: false))
        let background = try #require(Self.view(of: "test-back", background: true))
        #expect(foreground.name == "test-fore" && background.name == "test-back")
        #expect(foreground.nice == process)
        #expect(background.nice == min(process + Int(NamedThread.backgroundNiceSteps), 19))
    }
}
