/// When `Journal.commit()` forces written records to the disk with fdatasync, like Redis's `appendfsync`.
public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Every commit that wrote something: nothing acknowledged is lost, at the price of one fdatasync per batch.
    case always
    /// At a commit or `syncIfDue` when at least this long has passed since the last fdatasync started; the
    /// fdatasync runs on a thread of its own (``BackgroundSync``). A power failure loses what was committed
    /// since then: up to the interval plus however long the loop goes without calling `commit` or `syncIfDue`
    /// (and a slow fdatasync, which delays the next, adds to that), so state the bound as about twice the interval.
    case interval(milliseconds: Int)
    /// Never: the kernel writes back when it likes (a process crash loses nothing, a power failure may lose
    /// everything since the last writeback).
    case none

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let milliseconds): "every \(milliseconds) ms"
        case .none: "none"
        }
    }
}
