import Glibc

/// Writes lines to a file or standard output (`-`) through a buffer, with every write checked:
/// the file form of outbound messages (`topic<TAB>json`), profile exports and summaries.
public final class MessageFileWriter {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    public let path: String
    private var buffer: [UInt8] = []

    /// Creates or truncates `path`, or writes to standard output for `-`.
    public init(path: String) throws(FileError) {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
            ownsDescriptor = true
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Appends `topic<TAB>json<LF>`.
    public func writeMessage(topic: UnsafeRawBufferPointer, json: UnsafeRawBufferPointer) throws(FileError) {
        buffer.append(contentsOf: topic)
        buffer.append(0x09)
        buffer.append(contentsOf: json)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Appends `line` and a newline.
    public func writeLine(_ line: [UInt8]) throws(FileError) {
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws(FileError) {
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", errno: errno)
            }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
