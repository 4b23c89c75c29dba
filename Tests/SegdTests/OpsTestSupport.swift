import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

struct HTTPReply {
    let status: Int
    let headers: [String: String]  // lower-cased names
    let body: String
}

/// A minimal HTTP/1.1 client over a blocking TCP socket to 127.0.0.1. It runs on a thread of its
/// own: on a 2-core machine, blocking a Dispatch worker starves the cooperative pool (libdispatch
/// on Linux adds workers only about once a second), which made these tests take 4 s.
func httpRequest(port: Int, method: String = "GET", path: String) async throws -> HTTPReply {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try blockingHTTPRequest(port: port, method: method, path: path) })
        }
    }
}

private func blockingHTTPRequest(port: Int, method: String, path: String) throws -> HTTPReply {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestError("socket: errno \(errno)") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard rc == 0 else { throw TestError("connect 127.0.0.1:\(port): errno \(errno)") }

    let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
    var sent = 0
    while sent < request.count {
        let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { throw TestError("send: errno \(errno)") }
        sent += n
    }

    // Read until the headers are complete, then exactly Content-Length bytes of body.
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    var headerEnd: Int?
    var contentLength: Int?
    var headers: [String: String] = [:]
    var status = 0
    while true {
        if let end = headerEnd, let length = contentLength, data.count >= end + length { break }
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else {
            if n == 0, headerEnd != nil, contentLength == nil { break }  // body ends at close
            throw TestError("recv: \(n == 0 ? "connection closed early" : "errno \(errno)")")
        }
        data += chunk[..<n]
        if headerEnd == nil, let range = find([13, 10, 13, 10], in: data) {
            headerEnd = range
            let head = String(decoding: data[..<range], as: UTF8.self)
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let code = Int(statusLine[1]) else { throw TestError("bad status line: \(head)") }
            status = code
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                headers[name] = String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
            }
            contentLength = headers["content-length"].flatMap { Int($0) }
            headerEnd = range + 4
        }
    }
    let body = String(decoding: data[headerEnd!...].prefix(contentLength ?? Int.max), as: UTF8.self)
    return HTTPReply(status: status, headers: headers, body: body)
}

private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
        return i
    }
    return nil
}
