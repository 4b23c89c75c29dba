import CSegdSupport

/// glibc's malloc as segd runs it, set once at start-up before anything large is allocated, by the
/// daemon and by the benchmarks that time its engine in process.
public enum MallocTuning {
    /// Large allocations (1 MiB and more: per-customer columns, per-day RFM arrays, refit
    /// summaries) get mappings of their own, given back when freed, and a growing column moves its
    /// pages (`mremap`) instead of copying them. In the memory benchmark this took resident bytes
    /// per customer from 427 to 345 at 100,000 customers and from 356 to 282 at a million.
    public static let mmapThresholdBytes = 1 << 20

    /// Fixes the mmap threshold (`segd_fix_mmap_threshold`); false where malloc is not glibc's.
    @discardableResult
    public static func apply() -> Bool {
        segd_fix_mmap_threshold(mmapThresholdBytes) == 1
    }
}
