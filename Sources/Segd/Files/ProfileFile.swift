public import SegdCore

/// Every customer's profile, features and memberships as JSON lines: `segd replay --profiles`
/// and `segd snapshot inspect --customers`. Forgotten customers are left out.
public enum ProfileFile {
    /// Writes to `path`, or standard output for `-`.
    public static func write(_ engine: SegmentEngine, to path: String) throws {
        let output = try MessageFileWriter(path: path)
        var writer = JSONWriter()
        for customer in engine.store.liveCustomers {
            ProfileExport.encode(customer, of: engine, into: &writer)
            try output.writeLine(writer.bytes)
        }
        try output.flush()
    }
}
