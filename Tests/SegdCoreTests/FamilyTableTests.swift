@testable import SegdCore
import Testing

/// A family whose rules read only features with a few values is decided by one table lookup
/// (``FamilyTable``); these tests check that the lookup decides exactly as the rules do.
@Suite("Family tables")
struct FamilyTableTests {
    private static let layout = FeatureLayout(windows: [try! WindowSpec(parsing: "30d")])

    /// RFM-like members over two scores, a 0/1 flag among them, and a free-standing segment
    /// after them that reads one.
    private static let segments: [EngineConfiguration.Segment] = [
        .init(name: "champion", rule: "r_score >= 4 and fm_score >= 4", family: "rfm"),
        .init(name: "loyal", rule: "(r_score >= 3 and fm_score == 3) or (r_score == 3 and fm_score >= 4)", family: "rfm"),
        .init(name: "promising", rule: "r_score between 3 and 4 and fm_score == 1 and cart_open != 1", family: "rfm"),
        .init(name: "sleeping", rule: "not (r_score > 2) or fm_score in [2, 5]", family: "rfm"),
        .init(name: "courted", rule: "segment(loyal) and cart_open == 1"),
        .init(name: "busy", rule: "orders_30d >= 3", family: "activity"),
        .init(name: "idle", rule: "orders_30d == 0", family: "activity"),
    ]

    @Test("only a family that reads nothing but few-valued features gets a table")
    func tablesWhereTheyApply() throws {
        let catalog = try SegmentCatalog(Self.segments, layout: Self.layout)
        #expect(catalog.tabledFamilies == [catalog.families.firstIndex(of: "rfm")!])
    }

    @Test("the table decides every combination of values, NaN included, as running the rules in order does; other values run the rules")
    func tableAgreesWithTheRules() throws {
        let catalog = try SegmentCatalog(Self.segments, layout: Self.layout)
        let r = Self.layout.slot(.rScore), fm = Self.layout.slot(.fmScore), cart = Self.layout.slot(.cartOpen)
        let orders = Self.layout.slot(.orders, window: 0)
        // The listed values, and a few no table holds (2.5, 0, -1, 6), which take the rules' path.
        let scores: [Double] = [.nan, 1, 2, 3, 4, 5, 2.5, 0, -1, 6]
        var checked = 0
        for rValue in scores {
            for fmValue in scores {
                for cartValue: Double in [.nan, 0, 1, 0.5] {
                    var features = [Double](repeating: 0, count: Self.layout.count)
                    features[r] = rValue
                    features[fm] = fmValue
                    features[cart] = cartValue
                    features[orders] = Double(checked % 4)
                    var words: [UInt64] = [~0]  // every bit set before, as a stale membership would be
                    catalog.evaluate(features: features, memberships: &words)
                    #expect(words == catalog.evaluatedRuleByRule(features: features, memberships: [~0]), "r \(rValue) fm \(fmValue) cart \(cartValue)")
                    checked += 1
                }
            }
        }
        #expect(checked == 400)
    }
}
