/// A file naming scheme `<prefix><16 lowercase hex digits><suffix>` where the digits are a sequence number, so
/// that names sort like their numbers and a directory listing alone tells what each file covers: journal
/// segments are named after the first sequence they may hold, snapshots after the journal sequence they cover.
/// A file being written atomically carries an extra `.tmp` until it is renamed into place.
struct SequencedFileName: Sendable {
    /// A file following the scheme, found in a directory.
    struct Entry: Sendable, Equatable {
        let sequence: UInt64
        let path: String
    }

    static let journalSegment = SequencedFileName(prefix: "journal-", suffix: ".log")
    static let snapshot = SequencedFileName(prefix: "snapshot-", suffix: ".snap")
    static let temporarySuffix = ".tmp"

    let prefix: String
    let suffix: String

    func name(for sequence: UInt64) -> String {
        let digits = String(sequence, radix: 16)
        return prefix + String(repeating: "0", count: 16 - digits.count) + digits + suffix
    }

    /// The sequence number in `name`, or nil when `name` does not follow the scheme exactly (only lowercase
    /// digits, so that one number has one name).
    func sequence(in name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
        guard digits.count == 16, digits.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return UInt64(String(decoding: digits, as: UTF8.self), radix: 16)
    }

    /// The files in `directory` that follow the scheme, by ascending sequence.
    func entries(in directory: String) throws(DurabilityError) -> [Entry] {
        try Directory.names(in: directory)
            .compactMap { name in sequence(in: name).map { Entry(sequence: $0, path: Directory.path(directory, name)) } }
            .sorted { $0.sequence < $1.sequence }
    }

    /// Removes the `.tmp` files of this scheme left in `directory` by a write that never finished.
    func removeLeftoverTemporaryFiles(in directory: String) throws(DurabilityError) {
        for name in try Directory.names(in: directory)
        where name.hasSuffix(Self.temporarySuffix) && sequence(in: String(name.dropLast(Self.temporarySuffix.count))) != nil {
            try Directory.remove(Directory.path(directory, name))
        }
    }
}
