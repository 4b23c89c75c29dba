import Glibc

/// The directory operations an atomic file replacement needs. A rename or a new file is durable only once the
/// directory itself is fsynced; Foundation's atomic write does not do that, so these are plain system calls.
enum Directory {
    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Creates `directory` (one level) unless it exists.
    static func create(_ directory: String) throws(DurabilityError) {
        if mkdir(directory, 0o755) == 0 { return }
        let code = errno
        guard code == EEXIST else { throw DurabilityError(.systemCall("mkdir", errno: code), path: directory) }
    }

    /// The names in `directory`, without `.` and `..`; none when it does not exist.
    static func names(in directory: String) throws(DurabilityError) -> [String] {
        guard let stream = opendir(directory) else {
            let code = errno
            if code == ENOENT { return [] }
            throw DurabilityError(.systemCall("opendir", errno: code), path: directory)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                let code = errno
                if code != 0 { throw DurabilityError(.systemCall("readdir", errno: code), path: directory) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// Makes the entries of `directory` (new files, renames, removals) durable.
    static func sync(_ directory: String) throws(DurabilityError) {
        let handle = try PosixFile(path: directory, flags: O_RDONLY | O_DIRECTORY)
        try handle.sync()
    }

    static func rename(_ source: String, to destination: String) throws(DurabilityError) {
        try systemCall("rename to \(destination)", path: source) { Glibc.rename(source, destination) }
    }

    /// Removes `path`; one that is already gone is not an error.
    static func remove(_ path: String) throws(DurabilityError) {
        if unlink(path) == 0 { return }
        let code = errno
        guard code == ENOENT else { throw DurabilityError(.systemCall("unlink", errno: code), path: path) }
    }
}
