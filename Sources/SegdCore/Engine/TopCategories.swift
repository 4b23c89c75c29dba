import SegdDurability

/// Each customer's most frequent product categories, from the `category` of their clicks and
/// orders, kept as three (category, count) slots per customer in one flat array.
///
/// Counting every category exactly would need a map per customer; instead each customer keeps
/// three counters with the space-saving rule (Metwally, Agrawal & El Abbadi 2005): a category
/// without a slot takes the slot with the smallest count and inherits that count plus one. Any
/// category seen more than a quarter of the time is guaranteed a slot. Category names are interned
/// once, for the whole population, in ``CustomerIndex`` form. Owned by the engine's single writer.
public struct TopCategories: Sendable {
    public static let slotsPerCustomer = 3
    /// Category numbers; `UInt16.max` marks an empty slot.
    private var categories = GrowableColumn<UInt16>()
    private var counts = GrowableColumn<UInt32>()
    private var names = CustomerIndex(expectedCustomers: 64)

    public init() {}

    public mutating func addCustomer() {
        categories.append(repeating: .max, count: Self.slotsPerCustomer)
        counts.append(repeating: 0, count: Self.slotsPerCustomer)
    }

    /// Counts one event in `category` (its bytes) for `customer`. Past 65,535 distinct category
    /// names, new names are not tracked.
    public mutating func record(_ category: UnsafeRawBufferPointer, customer: Int32) {
        guard names.count < Int(UInt16.max) || names.lookup(category) != nil else { return }
        let number = UInt16(names.intern(category))
        let base = Int(customer) * Self.slotsPerCustomer
        var smallest = base
        for slot in base..<base + Self.slotsPerCustomer {
            if categories[slot] == number {
                counts[slot] &+= 1
                return
            }
            if counts[slot] < counts[smallest] { smallest = slot }
        }
        categories[smallest] = number
        counts[smallest] &+= 1
    }

    /// Empties `customer`'s slots. Category names stay: they are shared by the population.
    public mutating func clear(_ customer: Int32) {
        let base = Int(customer) * Self.slotsPerCustomer
        for slot in base..<base + Self.slotsPerCustomer {
            categories[slot] = .max
            counts[slot] = 0
        }
    }

    /// `customer`'s categories, most frequent first (ties by name), at most three.
    public func top(_ customer: Int32) -> [String] {
        let base = Int(customer) * Self.slotsPerCustomer
        return (base..<base + Self.slotsPerCustomer)
            .filter { categories[$0] != .max }
            .map { (name: names.id(Int32(categories[$0])), count: counts[$0]) }
            .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            .map(\.name)
    }
}

extension TopCategories {
    func encode(into writer: inout BinaryWriter) {
        names.encode(into: &writer)
        writer.write(array: Array(categories))
        writer.write(array: Array(counts))
    }

    init(decoding reader: inout BinaryReader, customers: Int) throws(DurabilityError) {
        names = try CustomerIndex(decoding: &reader)
        let slots = customers * Self.slotsPerCustomer
        let categoriesAt = reader.position
        categories = GrowableColumn(try reader.readColumn(of: UInt16.self, count: slots, "category slots"))
        counts = GrowableColumn(try reader.readColumn(of: UInt32.self, count: slots, "category counts"))
        // ``record`` numbers at most UInt16.max - 1 names; `.max` marks an empty slot.
        guard names.count < Int(UInt16.max), categories.allSatisfy({ $0 == .max || Int($0) < names.count }) else {
            throw reader.invalid("a category slot names none of the \(names.count) categories", at: categoriesAt)
        }
    }
}
