import Glibc

/// One open file descriptor and the positioned I/O the journal and snapshots need. Reads and writes loop until
/// every byte is transferred (the kernel may do less than asked, and caps one call at about 2 GiB); the
/// descriptor is closed when the object goes away. Used by one thread at a time, like the types that own it.
final class PosixFile {
    let path: String
    private let descriptor: CInt

    init(path: String, flags: CInt, permissions: mode_t = 0o644) throws(DurabilityError) {
        self.path = path
        descriptor = try systemCall("open", path: path) { open(path, flags | O_CLOEXEC, permissions) }
    }

    deinit {
        // Not retried on EINTR: Linux releases the descriptor even then, and a retry could close a reused number.
        close(descriptor)
    }

    /// The descriptor, for `flock` (``DirectoryLock``); the object still owns and closes it.
    var descriptorForLocking: CInt { descriptor }

    func size() throws(DurabilityError) -> Int {
        var status = stat()
        try systemCall("fstat", path: path) { fstat(descriptor, &status) }
        return Int(status.st_size)
    }

    /// Up to `count` bytes from `offset`; fewer only when the file ends first.
    func read(count: Int, at offset: Int) throws(DurabilityError) -> [UInt8] {
        var failure: DurabilityError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while initialized < count {
                let position = offset + initialized
                let got: Int
                do throws(DurabilityError) {
                    got = try systemCall("pread", path: path, offset: position) {
                        pread(descriptor, buffer.baseAddress! + initialized, count - initialized, off_t(position))
                    }
                } catch {
                    failure = error
                    return
                }
                if got == 0 { return }
                initialized += got
            }
        }
        if let failure { throw failure }
        return bytes
    }

    func readAll() throws(DurabilityError) -> [UInt8] {
        try read(count: size(), at: 0)
    }

    /// Writes every byte of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(DurabilityError) {
        try Self.write(bytes, at: offset, descriptor: descriptor, path: path)
    }

    /// Writes every byte of `bytes` at `offset` of a descriptor that some `PosixFile` owns, from any thread.
    static func write(_ bytes: UnsafeRawBufferPointer, at offset: Int, descriptor: CInt, path: String) throws(DurabilityError) {
        var written = 0
        while written < bytes.count {
            let position = offset + written
            let count = try systemCall("pwrite", path: path, offset: position) {
                pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(position))
            }
            written += count
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(DurabilityError) {
        try bytes.withRawBytes { (raw) throws(DurabilityError) in try write(raw, at: offset) }
    }

    /// fdatasync: the data and the size, without the timestamps a full fsync would also write.
    func syncData() throws(DurabilityError) {
        try Self.syncData(descriptor: descriptor, path: path)
    }

    /// The descriptor, for a write or an fdatasync on another thread (``BackgroundWrite``,
    /// ``BackgroundSync``); the owner of the object keeps it alive until that has finished.
    var descriptorForBackgroundIO: CInt { descriptor }

    /// fdatasync of a descriptor that some `PosixFile` owns, from any thread.
    static func syncData(descriptor: CInt, path: String) throws(DurabilityError) {
        try systemCall("fdatasync", path: path) { fdatasync(descriptor) }
    }

    func sync() throws(DurabilityError) {
        try systemCall("fsync", path: path) { fsync(descriptor) }
    }

    func truncate(to size: Int) throws(DurabilityError) {
        try systemCall("ftruncate", path: path, offset: size) { ftruncate(descriptor, off_t(size)) }
    }
}
