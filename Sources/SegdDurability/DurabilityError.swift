import Glibc

/// Everything that can go wrong reading or writing journal segments and snapshot files, always with the file
/// it happened in and, where there is one, the byte offset — so a log line alone is enough to find the damage.
public struct DurabilityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A system call failed with `errno`.
        case systemCall(String, errno: Int32)
        /// Fewer bytes were left than the next field, record or header needs.
        case truncated(needed: Int, available: Int)
        /// The file does not start with the magic bytes of its kind.
        case badMagic(expected: String)
        /// The file was written by a format version this build does not read.
        case unsupportedVersion(found: UInt32, supported: UInt32)
        /// A stored CRC-32C does not match the bytes it covers.
        case checksumMismatch(region: String, stored: UInt32, computed: UInt32)
        /// A declared length or count is larger than this format allows.
        case lengthTooLarge(UInt64, maximum: UInt64)
        /// A journal record's sequence number does not follow the one before it.
        case sequenceNotIncreasing(previous: UInt64, found: UInt64)
        /// The file's size disagrees with the length its header declares.
        case sizeMismatch(expected: UInt64, actual: UInt64)
        /// A snapshot's file name and header name different journal sequence numbers.
        case nameMismatch(nameSequence: UInt64, headerSequence: UInt64)
        /// A decoded value is not one its type allows (a Bool that is neither 0 nor 1, invalid UTF-8).
        case invalidValue(String)
        /// An earlier fsync failed; the kernel may have dropped the unsynced pages, so no later success can be trusted.
        case journalUnusable(after: String)
        /// Another process holds the state directory's lock.
        case locked

        public var description: String {
            switch self {
            case .systemCall(let call, let code):
                "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
            case .truncated(let needed, let available):
                "truncated: needed \(needed) bytes, only \(available) left"
            case .badMagic(let expected):
                "not a \(expected) file (wrong magic bytes)"
            case .unsupportedVersion(let found, let supported):
                "format version \(found) is not supported (this build reads version \(supported))"
            case .checksumMismatch(let region, let stored, let computed):
                "\(region) checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))"
            case .lengthTooLarge(let length, let maximum):
                "declared length \(length) exceeds the maximum \(maximum)"
            case .sequenceNotIncreasing(let previous, let found):
                "sequence number \(found) does not follow \(previous)"
            case .sizeMismatch(let expected, let actual):
                "file is \(actual) bytes, its header declares \(expected)"
            case .nameMismatch(let nameSequence, let headerSequence):
                "file name says journal sequence \(nameSequence), header says \(headerSequence)"
            case .invalidValue(let what):
                "invalid value: \(what)"
            case .journalUnusable(let cause):
                "journal unusable after an earlier failure (\(cause)); reopen it to recover from what is on disk"
            case .locked:
                "locked by another running segd; one state directory serves one daemon"
            }
        }
    }

    public let problem: Problem
    /// The file (or directory) concerned.
    public let path: String
    /// The byte offset in `path` where the problem was found, when it is about a place in the file.
    public let offset: Int?

    public init(_ problem: Problem, path: String, offset: Int? = nil) {
        self.problem = problem
        self.path = path
        self.offset = offset
    }

    public var description: String {
        if let offset { "\(path) at offset \(offset): \(problem)" } else { "\(path): \(problem)" }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
