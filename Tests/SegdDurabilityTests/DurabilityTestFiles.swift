import Foundation
import Testing

/// Runs `body` with a fresh directory under /tmp that is removed afterwards, whatever happens.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = try #require(
        "/tmp/segd-durability-XXXXXX".withCString { template in
            let buffer = strdup(template)!
            defer { free(buffer) }
            return mkdtemp(buffer).map { String(cString: $0) }
        }
    )
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFileBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func truncateFile(_ path: String, to length: Int) throws {
    try #require(truncate(path, off_t(length)) == 0)
}

func flipByte(_ path: String, at offset: Int) throws {
    var bytes = try fileBytes(path)
    bytes[offset] ^= 0x5A
    try writeFileBytes(path, bytes)
}

func fileNames(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}

func fileSize(_ path: String) throws -> Int {
    try fileBytes(path).count
}

/// A distinct, recognisable payload for record `index`.
func payload(_ index: Int, size: Int = 20) -> [UInt8] {
    let text = Array("record-\(index)-".utf8)
    return (0..<size).map { text[$0 % text.count] }
}
