import SegdCore
import Testing

@Suite("Top categories")
struct TopCategoriesTests {
    /// The space-saving rule over names, as `TopCategories` documents it: what its interned numbers
    /// and its cache of recent names must add up to.
    private struct ReferenceSlots {
        var names: [String?] = [nil, nil, nil]
        var counts = [0, 0, 0]

        mutating func count(_ name: String) {
            var smallest = 0
            for slot in names.indices {
                if names[slot] == name {
                    counts[slot] += 1
                    return
                }
                if counts[slot] < counts[smallest] { smallest = slot }
            }
            names[smallest] = name
            counts[smallest] += 1
        }

        var top: [String] {
            zip(names, counts).compactMap { name, count in name.map { ($0, count) } }
                .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
                .map(\.0)
        }
    }

    @Test("many names, long ones and ones that differ only late, count as the space-saving rule says")
    func manyNames() {
        // 300 names for a 64-entry cache of recent names: collisions all the time. Lengths around
        // the cache's word boundaries and its 24-byte limit, up to the schema's 64; names alike
        // but for their last bytes, or for their length.
        let lengths = [1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 40, 64]
        var names: [String] = []
        for index in 0..<300 {
            let stem = "c\(index)-"
            let length = max(lengths[index % lengths.count], stem.count)
            names.append(String(repeating: "x", count: length - stem.count) + stem)
        }
        // The decoder never passes an empty category, but the type takes any bytes.
        names += ["ab", "ab ", "ab  ", ""]
        var categories = TopCategories()
        let customers = 20
        for _ in 0..<customers { categories.addCustomer() }
        var reference = Array(repeating: ReferenceSlots(), count: customers)
        var random = RuleTestRandom(seed: 6)
        for _ in 0..<20_000 {
            let customer = Int(random.next() % UInt64(customers))
            // Skewed, so that some names stay on top and the others churn the slots.
            let pick = Int(random.next() % UInt64(names.count))
            let name = names[random.next() % 2 == 0 ? pick % 12 : pick]
            var bytes = name
            bytes.withUTF8 { categories.record(UnsafeRawBufferPointer($0), customer: Int32(customer)) }
            reference[customer].count(name)
            #expect(categories.top(Int32(customer)) == reference[customer].top)
        }
    }

    @Test("an empty name gets a number of its own, not the one an empty cache entry holds")
    func emptyName() {
        var categories = TopCategories()
        categories.addCustomer()
        categories.addCustomer()
        for name in ["books", ""] {
            var bytes = name
            bytes.withUTF8 { categories.record(UnsafeRawBufferPointer($0), customer: name.isEmpty ? 1 : 0) }
        }
        #expect(categories.top(0) == ["books"])
        #expect(categories.top(1) == [""])
    }
}
