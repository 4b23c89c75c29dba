import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Segd

/// A datagram socket bound to a filesystem path or an abstract name, for receiving sd_notify
/// messages as systemd would.
final class NotifyListener {
    let fd: Int32
    /// What to put in NOTIFY_SOCKET.
    let notifySocket: String
    private let directory: String?

    /// `abstract`: bind `@name` in the abstract namespace; otherwise a socket file in a new temp dir.
    init(abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var nameBytes: [UInt8]
        if abstract {
            notifySocket = "@segd-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            nameBytes = Array(notifySocket.utf8)
            nameBytes[0] = 0
            directory = nil
        } else {
            var template = Array("/tmp/segd-notify-XXXXXX".utf8CString)
            guard let dir = mkdtemp(&template) else { throw TestError("mkdtemp: errno \(errno)") }
            directory = String(cString: dir)
            notifySocket = directory! + "/notify.sock"
            nameBytes = Array(notifySocket.utf8) + [0]
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: nameBytes) }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + nameBytes.count
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard rc == 0 else { throw TestError("bind \(notifySocket): errno \(errno)") }
    }

    /// The next datagram (waits up to 5 s), or nil on timeout.
    func receive(wait: Bool = true) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { raw in
            recvfrom(fd, raw.baseAddress, raw.count, wait ? 0 : Int32(MSG_DONTWAIT), nil, nil)
        }
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n], as: UTF8.self)
    }

    deinit {
        close(fd)
        if let directory {
            unlink(notifySocket)
            rmdir(directory)
        }
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Sends one request to the admin listener on a thread of its own: on a 2-core machine, blocking
/// a Dispatch worker starves the cooperative pool (libdispatch on Linux adds workers only about
/// once a second), which made these tests take 4 s.
func httpRequest(port: Int, method: String = "GET", path: String) async throws -> AdminClient.Reply {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try AdminClient.request(host: "127.0.0.1", port: port, method: method, path: path) })
        }
    }
}
