import SegdCore
import Testing

@Suite("RFM scores")
struct RFMTests {
    @Test("quintile cut points are nearest-rank percentiles and ties go to the lower score")
    func quintiles() throws {
        var harness = try EngineHarness(segments: [("scored", "m_score >= 1")])
        // Ten buyers spending 10, 20, …, 100 dollars on 2026-01-01.
        for index in 1...10 {
            harness.order("c\(index)", at: "2026-01-01T00:00:\(10 + index)Z", amount: index * 1_000)
        }
        harness.advance(to: "2026-01-02T00:00:00Z")
        let quintiles = harness.pipeline.engine.store.quintiles
        #expect(quintiles.buyers == 10)
        #expect(quintiles.monetaryCuts == [20, 40, 60, 80])
        #expect(quintiles.frequencyCuts == [1, 1, 1, 1])
        #expect(harness.feature("m_score", of: "c2") == 1, "equal to the first cut point: the lower score")
        #expect(harness.feature("m_score", of: "c3") == 2)
        #expect(harness.feature("m_score", of: "c10") == 5)
        #expect(harness.feature("f_score", of: "c10") == 1, "one purchase day each: all tie at the bottom")
        #expect(harness.feature("fm_score", of: "c10") == 3)
        #expect(harness.feature("r_score", of: "c10") == 5)
    }

    @Test("non-buyers have no scores, and cut points move only at a day boundary")
    func scoresNeedBuyersAndDays() throws {
        var harness = try EngineHarness(segments: [("scored", "m_score >= 1")])
        harness.click("browser", at: "2026-01-01T00:00:00Z")
        harness.order("c1", at: "2026-01-01T00:00:01Z", amount: 1_000)
        #expect(harness.feature("m_score", of: "browser")?.isNaN == true)
        let before = harness.pipeline.engine.store.quintiles
        harness.order("c2", at: "2026-01-01T12:00:00Z", amount: 9_000)
        #expect(harness.pipeline.engine.store.quintiles == before, "no recomputation within the day")
        harness.order("c3", at: "2026-01-02T00:00:00Z", amount: 5_000)
        #expect(harness.pipeline.engine.store.quintiles.buyers == 2, "recomputed on entering 01-02, before c3's order")
    }

    @Test("r_score falls by timer when the days since the last order pass a recency cut point")
    func recencyScoreTimer() throws {
        var harness = try EngineHarness(segments: [("recent", "r_score == 5")])
        for (index, day) in [1, 5, 10, 15, 20].enumerated() {
            harness.order("c\(index)", at: "2026-01-\(String(format: "%02d", day))T00:00:00Z")
        }
        harness.advance(to: "2026-01-21T00:00:00Z")
        // Days since the last order on 01-21: 20, 16, 11, 6, 1; cut points 1, 6, 11, 16.
        #expect(harness.pipeline.engine.store.quintiles.recencyCuts == [1, 6, 11, 16])
        _ = harness.drain()
        // Re-scoring is lazy: c4's next evaluation (this click) schedules its timer against the new cut points.
        harness.click("c4", at: "2026-01-21T06:00:00Z")
        _ = harness.drain()
        #expect(harness.isMember("c4", "recent"))
        harness.advance(to: "2026-01-23T00:00:00Z")
        let exit = harness.drain().first { $0.customer == "c4" }
        #expect(exit?.topic == "segment.recent.exit")
        #expect(exit?.cause == "timer")
        #expect(exit?.ts == "2026-01-22T00:00:00.000Z", "2 whole days since 01-20 exceed the cut point 1")
    }
}
