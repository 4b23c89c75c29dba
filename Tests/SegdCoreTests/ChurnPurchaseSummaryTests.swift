import SegdCore
import Testing

@Suite("Churn purchase summary")
struct ChurnPurchaseSummaryTests {
    @Test("orders on one day are one purchase; x, t_x and T follow the paper's conventions")
    func conventions() {
        var summary = PurchaseSummary()
        let newDays = [(100, 1_000), (100, 500), (107, 2_000), (107, 100), (121, 300)].map {
            summary.record(day: $0.0, amountMinor: $0.1)
        }
        #expect(newDays == [true, false, true, false, true])
        #expect(summary.purchaseDays == 3)
        #expect(summary.repeatPurchases == 2)
        #expect(summary.recencyDays == 21)
        #expect(summary.ageDays(onDay: 135) == 35)
        #expect(summary.firstDaySpendMinor == 1_500)
        #expect(summary.repeatSpendMinor == 2_400)
        #expect(summary.observation(onDay: 135, unit: .weeks) == BGNBDObservation(frequency: 2, recency: 3, age: 5))
        #expect(summary.observation(onDay: 135, unit: .days) == BGNBDObservation(frequency: 2, recency: 21, age: 35))
    }

    @Test("a late order on an earlier day becomes the first purchase and the old first day a repeat")
    func earlierFirstDay() {
        var summary = PurchaseSummary()
        summary.record(day: 50, amountMinor: 700)
        summary.record(day: 60, amountMinor: 100)
        let isNewDay = summary.record(day: 45, amountMinor: 40)
        #expect(isNewDay)
        #expect(summary.firstDay == 45)
        #expect(summary.lastDay == 60)
        #expect(summary.repeatPurchases == 2)
        #expect(summary.firstDaySpendMinor == 40)
        #expect(summary.repeatSpendMinor == 800)
    }

    @Test("a new customer has no purchase, and an age before the last purchase counts as the last purchase day")
    func edges() {
        let empty = PurchaseSummary()
        #expect(empty.purchaseDays == 0)
        #expect(empty.repeatPurchases == 0)
        var summary = PurchaseSummary()
        summary.record(day: 10, amountMinor: 1)
        summary.record(day: 20, amountMinor: 1)
        #expect(summary.ageDays(onDay: 15) == 10)
    }

    @Test("the summary is a flat 32-byte value the engine can keep in an array")
    func layout() {
        #expect(MemoryLayout<PurchaseSummary>.stride == 32)
    }
}
