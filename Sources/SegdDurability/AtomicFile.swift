import Glibc

/// Replaces a file so that after a crash either the old or the new content is there, never a mix: write
/// `<name>.tmp`, fsync it, rename it over `<name>`, fsync the directory. A crash before the rename leaves only a
/// `.tmp` that readers ignore and the next writer removes.
enum AtomicFile {
    /// Writes `directory/name` through `fill`, which writes at explicit offsets into the temporary file, and
    /// returns the final path. Pass `syncDirectory: false` when replacing several files in one directory, then
    /// call `Directory.sync` once.
    @discardableResult
    static func write(
        name: String,
        in directory: String,
        syncDirectory: Bool = true,
        _ fill: (PosixFile) throws(DurabilityError) -> Void
    ) throws(DurabilityError) -> String {
        let path = Directory.path(directory, name)
        let temporary = path + SequencedFileName.temporarySuffix
        do throws(DurabilityError) {
            let file = try PosixFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try fill(file)
            try file.sync()
        } catch {
            try? Directory.remove(temporary)
            throw error
        }
        try Directory.rename(temporary, to: path)
        if syncDirectory { try Directory.sync(directory) }
        return path
    }
}
