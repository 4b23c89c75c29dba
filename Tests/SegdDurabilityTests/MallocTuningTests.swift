import CSegdSupport
import Testing

@Suite struct MallocTuningTests {
    #if canImport(Glibc)
    /// segd fixes glibc's mmap threshold at start-up (`SegdCommand.main`); glibc must accept the
    /// value it uses. The effect on resident memory is measured by the memory benchmark.
    @Test func glibcAcceptsTheFixedThreshold() {
        #expect(segd_fix_mmap_threshold(1 << 20) == 1)
    }
    #endif
}
