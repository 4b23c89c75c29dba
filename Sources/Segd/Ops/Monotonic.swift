#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CLOCK_MONOTONIC in microseconds: the clock systemd uses for `MONOTONIC_USEC=` and for the
/// watchdog, and the one ``WatchdogPinger`` and ``AdminHealth`` compare against.
///
/// (Swift's `ContinuousClock` is CLOCK_BOOTTIME on Linux, which keeps counting across suspend;
/// systemd wants CLOCK_MONOTONIC, so everything here speaks plain microseconds of it.)
public enum MonotonicClock {
    /// Microseconds since an arbitrary fixed point (boot, on Linux). One vDSO call, no allocation.
    @inline(__always)
    public static func microseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000 &+ UInt64(ts.tv_nsec) / 1_000
    }
}
