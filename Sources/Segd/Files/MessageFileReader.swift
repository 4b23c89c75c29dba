import Glibc
import SegdCore

/// Reads the file form of inbound messages — one per line, `topic<TAB>json` — from a file or
/// standard input, in chunks, handing each line's two parts to a closure without copying them.
/// A line without a TAB is reported as a one-frame message. A final line without a newline counts.
public final class MessageFileReader {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    public let path: String

    /// Opens `path`, or standard input for `-`.
    public init(path: String) throws(FileError) {
        self.path = path
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Calls `body(topic, payload, frames)` for every line; `frames` is 2, or 1 when the line has no TAB.
    public func forEachMessage(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Int) throws -> Void) throws {
        try forEachGroup { group in
            for message in group { try body(message.topic, message.payload, message.frames) }
        }
    }

    /// Calls `body` with the lines in order, up to `maximumCount` at a time (fewer where a chunk of
    /// the file ends), each as a ``RawMessage`` whose bytes stay valid during the call.
    func forEachGroup(maximumCount: Int = SegmentEngine.readAheadGroupSize, _ body: (UnsafeBufferPointer<RawMessage>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var filled = 0
        var group: [RawMessage] = []
        group.reserveCapacity(maximumCount)
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            let atEnd = count == 0
            filled += count
            let consumed = try buffer.withUnsafeBytes { bytes in
                let consumed = try Self.splitLines(UnsafeRawBufferPointer(rebasing: bytes[0..<filled]), final: atEnd) { message in
                    group.append(message)
                    if group.count == maximumCount { try Self.hand(&group, to: body) }
                }
                // The lines point into this chunk, which the next read moves.
                try Self.hand(&group, to: body)
                return consumed
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { bytes in
                    let remaining = filled - consumed
                    if remaining > 0 { bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + consumed, byteCount: remaining) }
                }
                filled -= consumed
            }
            if atEnd { return }
        }
    }

    private static func hand(_ group: inout [RawMessage], to body: (UnsafeBufferPointer<RawMessage>) throws -> Void) throws {
        guard !group.isEmpty else { return }
        try group.withUnsafeBufferPointer(body)
        group.removeAll(keepingCapacity: true)
    }

    /// Hands every complete line of `bytes` to `body` and returns how many bytes were used. With
    /// `final`, a trailing line without a newline is complete too.
    private static func splitLines(_ bytes: UnsafeRawBufferPointer, final: Bool, _ body: (RawMessage) throws -> Void) throws -> Int {
        var lineStart = 0
        while let newline = Self.firstIndex(of: 0x0A, in: bytes, from: lineStart) {
            try emit(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<newline]), body)
            lineStart = newline + 1
        }
        if final, lineStart < bytes.count {
            try emit(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<bytes.count]), body)
            lineStart = bytes.count
        }
        return lineStart
    }

    /// Where `byte` first occurs in `bytes` at or after `start`: `memchr`, which looks at a vector
    /// of bytes per step, where a byte-by-byte search cost more than decoding the line's JSON.
    private static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    private static func emit(_ line: UnsafeRawBufferPointer, _ body: (RawMessage) throws -> Void) throws {
        var end = line.count
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        guard end > 0 else { return }
        let content = UnsafeRawBufferPointer(rebasing: line[0..<end])
        if let tab = Self.firstIndex(of: 0x09, in: content, from: 0) {
            try body(RawMessage(topic: UnsafeRawBufferPointer(rebasing: content[0..<tab]), payload: UnsafeRawBufferPointer(rebasing: content[(tab + 1)...]), frames: 2))
        } else {
            try body(RawMessage(topic: content, payload: UnsafeRawBufferPointer(start: nil, count: 0), frames: 1))
        }
    }
}

/// A file operation that failed, with the path, the call and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Int32

    public var description: String {
        "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
    }
}
