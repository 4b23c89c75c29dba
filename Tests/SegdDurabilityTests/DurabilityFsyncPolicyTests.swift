import Testing
@testable import SegdDurability

/// The policies are driven by injected instants, so no test sleeps. An interval policy's fdatasync runs
/// in the background; `waitForBackgroundSync()` awaits it before its count is read.
@Suite struct FsyncPolicyTests {
    @Test func alwaysSyncsEveryCommitThatWrote() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .always)
            let afterOpen = journal.counters.fsyncCount
            for index in 0..<3 {
                try journal.append(payload(index))
                try journal.commit()
            }
            try journal.commit()
            #expect(journal.counters.fsyncCount == afterOpen + 3)
            #expect(try journal.syncIfDue() == false)
            try journal.close()
        }
    }

    @Test func noneNeverSyncs() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .none)
            for index in 0..<3 {
                try journal.append(payload(index))
                try journal.commit()
            }
            try journal.rotate()
            #expect(try journal.syncIfDue() == false)
            try journal.close()
            #expect(journal.counters.fsyncCount == 0)
        }
    }

    @Test func intervalSyncsOnlyOnceTheIntervalHasPassed() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .interval(milliseconds: 1_000))
            let start = ContinuousClock.now
            let base = journal.counters.fsyncCount
            func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

            try journal.append(payload(1))
            try journal.commit(now: at(0))
            try journal.waitForBackgroundSync()
            #expect(journal.counters.fsyncCount == base + 1, "the first commit has no earlier sync to wait for")

            try journal.append(payload(2))
            try journal.commit(now: at(10))
            try journal.waitForBackgroundSync()
            #expect(journal.counters.fsyncCount == base + 1)
            #expect(try journal.syncIfDue(now: at(999)) == false)
            #expect(try journal.syncIfDue(now: at(1_000)) == true)
            try journal.waitForBackgroundSync()
            #expect(journal.counters.fsyncCount == base + 2)
            #expect(try journal.syncIfDue(now: at(5_000)) == false, "nothing written since the last sync")

            try journal.append(payload(3))
            try journal.commit(now: at(1_500))
            try journal.waitForBackgroundSync()
            #expect(journal.counters.fsyncCount == base + 2)
            try journal.append(payload(4))
            try journal.commit(now: at(2_000))
            try journal.waitForBackgroundSync()
            #expect(journal.counters.fsyncCount == base + 3, "a commit syncs once the interval is reached")
            try journal.close()
        }
    }

    @Test func intervalStartsWritebackOfEachMebibyteAndKeepsEveryRecord() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .interval(milliseconds: 1_000))
            let start = ContinuousClock.now
            // 64 KiB per commit, all within one interval: writeback starts about every 16 commits.
            let commits = 3 * Journal.writebackBytes / 65_536 + 5
            for index in 0..<commits {
                try journal.append(payload(index, size: 65_536))
                try journal.commit(now: start + .milliseconds(index % 10))
            }
            try journal.waitForBackgroundSync()
            #expect(journal.counters.fsyncCount >= 1, "the first commit's sync")
            try journal.close()
            let replayed = try replayAll(directory)
            #expect(replayed.sequences == Array(1...UInt64(commits)))
            #expect(replayed.records.last?.payload == payload(commits - 1, size: 65_536))
        }
    }

    @Test func closeSyncsWhatAnIntervalPolicyLeftUnsynced() throws {
        try withTemporaryDirectory { directory in
            let journal = try Journal.open(directory: directory, fsync: .interval(milliseconds: 1_000))
            let start = ContinuousClock.now
            try journal.append(payload(1))
            try journal.commit(now: start)
            try journal.append(payload(2))
            try journal.commit(now: start + .milliseconds(1))
            try journal.waitForBackgroundSync()
            let before = journal.counters.fsyncCount
            try journal.close()
            #expect(journal.counters.fsyncCount == before + 1)
        }
    }
}
