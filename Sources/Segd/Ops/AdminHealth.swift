import Synchronization

/// Liveness and readiness as the admin endpoints report them, written by the daemon.
///
/// Lock-free (atomics): ``heartbeat(now:)`` is one relaxed store, cheap enough for every batch of
/// the ingest loop. The admin server only reads.
public final class AdminHealth: Sendable {
    /// `/healthz` answers 503 once the last heartbeat is older than this.
    public let stallLimitMicroseconds: UInt64
    private let lastBeat: Atomic<UInt64>
    private let ready = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)

    /// The heartbeat clock starts now: a loop that never beats counts as stalled once
    /// `stallLimit` has passed since creation (so beat during a long journal replay too).
    public init(stallLimit: Duration, now: UInt64 = MonotonicClock.microseconds()) {
        let (seconds, attoseconds) = stallLimit.components
        self.stallLimitMicroseconds = UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000
        self.lastBeat = Atomic(now)
    }

    /// The ingest loop is alive: call once per batch or poll wakeup, with ``MonotonicClock/microseconds()``.
    @inline(__always)
    public func heartbeat(now: UInt64 = MonotonicClock.microseconds()) {
        lastBeat.store(now, ordering: .relaxed)
    }

    /// Startup is done (state restored, sockets bound): `/readyz` turns 200.
    public func markReady() { ready.store(true, ordering: .relaxed) }

    /// Shutdown began: `/readyz` turns 503 for good (load balancers stop sending).
    public func markStopping() { stopping.store(true, ordering: .relaxed) }

    public enum Readiness: Sendable, Equatable {
        case starting, ready, stopping
    }

    public var readiness: Readiness {
        if stopping.load(ordering: .relaxed) { return .stopping }
        return ready.load(ordering: .relaxed) ? .ready : .starting
    }

    /// Microseconds since the last heartbeat (0 if the clock reading is older than the beat).
    public func heartbeatAgeMicroseconds(now: UInt64 = MonotonicClock.microseconds()) -> UInt64 {
        let last = lastBeat.load(ordering: .relaxed)
        return now > last ? now - last : 0
    }

    /// Whether the ingest loop beat within the stall limit.
    public func isLive(now: UInt64 = MonotonicClock.microseconds()) -> Bool {
        heartbeatAgeMicroseconds(now: now) <= stallLimitMicroseconds
    }
}
