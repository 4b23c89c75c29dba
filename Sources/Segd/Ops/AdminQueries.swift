/// What the admin server asks the daemon for. The daemon implements it over its engine; the
/// server only passes the bytes through, so it knows nothing of customers or segments.
///
/// Both return complete JSON documents as UTF-8 bytes, served as `application/json`.
public protocol AdminQueries: Sendable {
    /// The customer's profile, or nil when unknown (the server answers 404 with a JSON error).
    /// `id` is percent-decoded.
    func customer(id: String) async -> [UInt8]?
    /// Every segment with its member count.
    func segments() async -> [UInt8]
    /// Erases the customer (privacy request) and returns what was done, or nil when unknown.
    func forget(id: String) async -> [UInt8]?
}
