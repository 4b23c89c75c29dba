import Glibc

/// A minimal blocking HTTP/1.1 client for the admin listener, which is on loopback: what
/// `segd forget` uses, and the tests. One request per connection (`Connection: close`).
public enum AdminClient {
    public struct Reply: Sendable {
        public let status: Int
        /// Header names lower-cased.
        public let headers: [String: String]
        public let body: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends `method path` to `host:port` and reads the whole reply, waiting at most `timeoutSeconds` per read.
    public static func request(host: String, port: Int, method: String = "GET", path: String, timeoutSeconds: Int = 5) throws(Failure) -> Reply {
        let fd = try connect(host: host, port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send to \(hostHeader): errno \(errno)") }
            sent += n
        }
        return try readReply(fd, from: hostHeader)
    }

    private static func connect(host: String, port: Int) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &found)
        guard rc == 0, let first = found else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(found) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var lastError: Int32 = 0
        while let address = candidate {
            let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd >= 0 {
                if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            candidate = address.pointee.ai_next
        }
        throw Failure(description: "cannot connect to \(host):\(port): \(String(cString: strerror(lastError))) (is segd running with [admin] enabled?)")
    }

    /// Reads until the headers are complete, then exactly Content-Length bytes of body (or to the close).
    private static func readReply(_ fd: Int32, from peer: String) throws(Failure) -> Reply {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var bodyStart: Int?
        var contentLength: Int?
        var headers: [String: String] = [:]
        var status = 0
        while true {
            if let start = bodyStart, let length = contentLength, data.count >= start + length { break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else {
                if n == 0, bodyStart != nil, contentLength == nil { break }
                throw Failure(description: "reading from \(peer): \(n == 0 ? "connection closed early" : String(cString: strerror(errno)))")
            }
            data += chunk[..<n]
            guard bodyStart == nil, let end = headerEnd(in: data) else { continue }
            let head = String(decoding: data[..<end], as: UTF8.self)
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let code = Int(statusLine[1]) else { throw Failure(description: "bad status line from \(peer): \(head)") }
            status = code
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
            }
            contentLength = headers["content-length"].flatMap { Int($0) }
            bodyStart = end + 4
        }
        let body = String(decoding: data[bodyStart!...].prefix(contentLength ?? Int.max), as: UTF8.self)
        return Reply(status: status, headers: headers, body: body)
    }

    /// Where the blank line ending the headers starts.
    private static func headerEnd(in data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        return (0...(data.count - 4)).first { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }
    }
}
