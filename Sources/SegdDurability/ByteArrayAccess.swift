extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body with a typed error: the standard library's version is `rethrows`, which
    /// widens the error to `any Error` and would cost every caller its typed throws. Inlinable:
    /// unspecialized in another module, each call looked up `Result`'s generic metadata at run time,
    /// a tenth of the ingest thread's time when the loop called it per message.
    @inlinable
    public func withRawBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome = withUnsafeBytes { raw in Swift.Result { () throws(Failure) in try body(raw) } }
        return try outcome.get()
    }
}
