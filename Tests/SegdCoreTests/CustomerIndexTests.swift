@testable import SegdCore
import Testing

@Suite("Customer index")
struct CustomerIndexTests {
    @Test("interns, lookups and removals agree with a dictionary through growths, checked while customers move")
    func agreesWithDictionary() {
        var index = CustomerIndex(expectedCustomers: 4)
        var model: [String: Int32] = [:]
        var forgotten: Set<String> = []
        var random = SeededRandom(seed: 17)
        var next: Int32 = 0
        for step in 0..<40_000 {
            let id = "c-\(random.next() % 30_000)"
            if random.next() % 8 == 0, let number = model[id] {
                index.remove(number)
                model[id] = nil
                forgotten.insert(id)
            } else {
                let number = intern(id, into: &index)
                if let known = model[id] {
                    #expect(number == known, "\(id) renumbered at step \(step)")
                } else {
                    #expect(number == next, "\(id) numbered \(number), not the next number \(next)")
                    model[id] = number
                    forgotten.remove(id)
                    next += 1
                }
            }
            // Often enough to land inside growths: each moves customers over as many interns as half its size.
            guard step % 211 == 0 else { continue }
            #expect(index.count == Int(next))
            for (id, number) in model where index.lookup(id) != number {
                Issue.record("\(id): lookup \(String(describing: index.lookup(id))), expected \(number) at step \(step)")
                return
            }
            for id in forgotten where index.lookup(id) != nil {
                Issue.record("\(id) was removed but is found at step \(step)")
                return
            }
            for probe in 0..<200 {
                let id = "c-\(30_000 + probe)"
                #expect(index.lookup(id) == nil)
            }
        }
    }

    @Test("at its id byte limit the index has room only for the ids it knows")
    func roomForIDs() {
        var index = CustomerIndex(expectedCustomers: 4)
        index.limitIDBytes(to: 10)
        func hasRoom(_ id: String) -> Bool {
            var bytes = id
            return bytes.withUTF8 { index.hasRoom(for: UnsafeRawBufferPointer($0)) }
        }
        func intern(_ id: String) -> Int32 {
            var bytes = id
            return bytes.withUTF8 { index.intern(UnsafeRawBufferPointer($0)) }
        }
        #expect(intern("c-1") == 0 && intern("c-22") == 1)
        #expect(hasRoom("c-3"), "7 bytes held and 3 more make the limit")
        #expect(!hasRoom("c-33"), "11 bytes would pass it")
        #expect(hasRoom("c-22") && hasRoom("c-1"), "a known id takes no room")
        #expect(intern("c-3") == 2)
        #expect(!hasRoom("x") && hasRoom("c-3") && intern("c-22") == 1)
        #expect(index.count == 3)
    }

    @Test("a removed id is not found again, and interned again it gets a new number")
    func removedIDsStayGone() {
        var index = CustomerIndex(expectedCustomers: 4)
        for value in 0..<1_000 { _ = intern("c-\(value)", into: &index) }
        for value in stride(from: 0, to: 1_000, by: 3) { index.remove(Int32(value)) }
        for value in 0..<1_000 {
            #expect((index.lookup("c-\(value)") == nil) == (value % 3 == 0), "c-\(value)")
        }
        let renumbered = intern("c-3", into: &index)
        #expect(renumbered == 1_000)
        #expect(index.isRemoved(3) && !index.isRemoved(1_000))
    }

    @Test("a copy of the index keeps its ids while the original changes")
    func copiesAreIndependent() {
        var original = CustomerIndex(expectedCustomers: 4)
        for value in 0..<100 { _ = intern("c-\(value)", into: &original) }
        let copy = original
        original.remove(5)
        for value in 100..<300 { _ = intern("c-\(value)", into: &original) }
        #expect(copy.count == 100 && copy.lookup("c-5") == 5 && copy.lookup("c-150") == nil)
        #expect(original.lookup("c-5") == nil && original.lookup("c-150") == 150)
    }
}

private func intern(_ id: String, into index: inout CustomerIndex) -> Int32 {
    var id = id
    return id.withUTF8 { index.intern(UnsafeRawBufferPointer($0)) }
}
