import Glibc

/// An exclusive `flock` on `LOCK` in a state directory, held while the object lives: two daemons
/// appending to one journal would interleave records and each replay the other's, so the second
/// is refused at start. The kernel drops the lock when the process dies, `kill -9` included, so
/// there is never a stale lock to clean up.
public final class DirectoryLock {
    public let path: String
    private let file: PosixFile

    /// Creates the directory if needed and takes the lock; throws ``DurabilityError/Problem/locked``
    /// when another process holds it.
    public init(directory: String) throws(DurabilityError) {
        try Directory.create(directory)
        path = Directory.path(directory, "LOCK")
        file = try PosixFile(path: path, flags: O_RDWR | O_CREAT, permissions: 0o600)
        guard flock(file.descriptorForLocking, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            if code == EWOULDBLOCK { throw DurabilityError(.locked, path: path) }
            throw DurabilityError(.systemCall("flock", errno: code), path: path)
        }
    }
}

@available(*, unavailable)
extension DirectoryLock: Sendable {}
