import SegdCore

/// One of `count` shards of customers, as DESIGN.md partitions them (`hash(customer_id) mod N`,
/// one writer per shard), with segd's `ByteHash`: it does not change between runs or machines, so
/// every run splits the generated customers the same way.
public struct CustomerShard: Sendable {
    /// Not the customer index's seed (0): within a shard, the index's table slots stay spread.
    private static let seed: UInt64 = 0x5EED_5A4D
    public let index: Int
    public let count: Int

    public init(_ index: Int, of count: Int) {
        precondition(count > 0 && (0..<count).contains(index))
        self.index = index
        self.count = count
    }

    /// Whether this shard owns the customer of a generated event's JSON.
    func owns(customerOf json: [UInt8]) -> Bool {
        let hash = json[stringValue(of: "customer_id", in: json)].withUnsafeBytes { ByteHash.hash($0, seed: Self.seed) }
        return Int(hash % UInt64(count)) == index
    }
}
