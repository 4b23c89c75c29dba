import SegdDurability

/// Each customer's most frequent product categories, from the `category` of their clicks and
/// orders, kept as three (category, count) slots per customer, one entry per customer.
///
/// Counting every category exactly would need a map per customer; instead each customer keeps
/// three counters with the space-saving rule (Metwally, Agrawal & El Abbadi 2005): a category
/// without a slot takes the slot with the smallest count and inherits that count plus one. Any
/// category seen more than a quarter of the time is guaranteed a slot. Category names are interned
/// once, for the whole population, in ``CustomerIndex`` form. Owned by the engine's single writer.
public struct TopCategories: Sendable {
    public static let slotsPerCustomer = InlineArray<3, UInt32>.count
    /// Each customer's slots in one entry, so that counting an event touches one cache line
    /// where a column of categories and one of counts touched two.
    private var slots = GrowableColumn<Slots>()
    private var names = CustomerIndex(expectedCustomers: 64)
    /// The numbers of names interned lately, asked before ``names`` (not saved in snapshots).
    private var recent = RecentCategories()

    /// One customer's (category, count) slots.
    private struct Slots: BitwiseCopyable, Sendable {
        var counts = InlineArray<3, UInt32>(repeating: 0)
        /// Category numbers, one per count; `UInt16.max` marks an empty slot.
        var categories = InlineArray<3, UInt16>(repeating: .max)

        /// Counts one event in category `number` by the space-saving rule.
        mutating func count(_ number: UInt16) {
            var smallest = 0
            for slot in counts.indices {
                if categories[slot] == number {
                    counts[slot] &+= 1
                    return
                }
                if counts[slot] < counts[smallest] { smallest = slot }
            }
            categories[smallest] = number
            counts[smallest] &+= 1
        }
    }

    public init() {}

    public mutating func addCustomer() {
        slots.append(Slots())
    }

    /// Counts one event in `category` (its bytes) for `customer`. Past 65,535 distinct category
    /// names, new names are not tracked.
    public mutating func record(_ category: UnsafeRawBufferPointer, customer: Int32) {
        let number: UInt16
        if let recentNumber = recent.number(of: category) {
            number = recentNumber
        } else {
            guard names.count < Int(UInt16.max) || names.lookup(category) != nil else { return }
            number = UInt16(names.intern(category))
            recent.remember(category, as: number)
        }
        slots[Int(customer)].count(number)
    }

    /// Empties `customer`'s slots. Category names stay: they are shared by the population.
    public mutating func clear(_ customer: Int32) {
        slots[Int(customer)] = Slots()
    }

    /// `customer`'s categories, most frequent first (ties by name), at most three.
    public func top(_ customer: Int32) -> [String] {
        let customerSlots = slots[Int(customer)]
        return (0..<Self.slotsPerCustomer)
            .filter { customerSlots.categories[$0] != .max }
            .map { (name: names.id(Int32(customerSlots.categories[$0])), count: customerSlots.counts[$0]) }
            .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            .map(\.name)
    }
}

extension TopCategories {
    func encode(into writer: inout BinaryWriter) {
        names.encode(into: &writer)
        // As two columns, every customer's three slots in turn: the format of separate columns.
        var categories: [UInt16] = []
        var counts: [UInt32] = []
        categories.reserveCapacity(slots.count * Self.slotsPerCustomer)
        counts.reserveCapacity(slots.count * Self.slotsPerCustomer)
        for customer in slots {
            for slot in 0..<Self.slotsPerCustomer {
                categories.append(customer.categories[slot])
                counts.append(customer.counts[slot])
            }
        }
        writer.write(array: categories)
        writer.write(array: counts)
    }

    init(decoding reader: inout BinaryReader, customers: Int) throws(DurabilityError) {
        names = try CustomerIndex(decoding: &reader)
        let slotCount = customers * Self.slotsPerCustomer
        let categoriesAt = reader.position
        let categories = try reader.readColumn(of: UInt16.self, count: slotCount, "category slots")
        let counts = try reader.readColumn(of: UInt32.self, count: slotCount, "category counts")
        // ``record`` numbers at most UInt16.max - 1 names; `.max` marks an empty slot.
        guard names.count < Int(UInt16.max), categories.allSatisfy({ $0 == .max || Int($0) < names.count }) else {
            throw reader.invalid("a category slot names none of the \(names.count) categories", at: categoriesAt)
        }
        slots = GrowableColumn((0..<customers).map { customer in
            var customerSlots = Slots()
            for slot in 0..<Self.slotsPerCustomer {
                customerSlots.categories[slot] = categories[customer * Self.slotsPerCustomer + slot]
                customerSlots.counts[slot] = counts[customer * Self.slotsPerCustomer + slot]
            }
            return customerSlots
        })
    }
}

/// Category names interned lately and their numbers, in front of ``TopCategories``'s name index:
/// a direct-mapped table of names of up to 24 bytes, each held inline. An event's category is one
/// of a few dozen names, and interning it through the index (hash, table probe, a compare with the
/// stored name, copy-on-write checks) cost about 240 instructions; a hit here is a copy of the
/// name into three words, a multiply and a compare. An entry answers only for a name equal to the
/// one it holds, so a miss or a collision costs a trip to the index, never a wrong number.
private struct RecentCategories: Sendable {
    private struct Entry: Sendable {
        /// The name's bytes, zero-padded.
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        /// The name's length; 0 for an empty entry.
        var count = 0
        var number: UInt16 = 0
    }

    private static let slotBits = 6
    private static let maximumCount = 24
    private var entries = [Entry](repeating: Entry(), count: 1 << slotBits)

    func number(of name: UnsafeRawBufferPointer) -> UInt16? {
        guard let (words, slot) = Self.key(name) else { return nil }
        let entry = entries[slot]
        guard entry.count == name.count, entry.words == words else { return nil }
        return entry.number
    }

    mutating func remember(_ name: UnsafeRawBufferPointer, as number: UInt16) {
        guard let (words, slot) = Self.key(name) else { return }
        entries[slot] = Entry(words: words, count: name.count, number: number)
    }

    /// The name's bytes as three words and the slot they pick; nil for a name too long to hold,
    /// and for the empty name, which an empty entry would seem to hold.
    @inline(__always)
    private static func key(_ name: UnsafeRawBufferPointer) -> (words: (UInt64, UInt64, UInt64), slot: Int)? {
        guard (1...maximumCount).contains(name.count) else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: name) }
        let mixed = (words.0 &+ words.1 &* 0x9E37_79B9 &+ words.2 &* 0x85EB_CA6B ^ UInt64(name.count)) &* 0x9E37_79B9_7F4A_7C15
        return (words, Int(truncatingIfNeeded: mixed >> UInt64(64 - slotBits)))
    }
}
