extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws only `DurabilityError`: the standard library's version is
    /// `rethrows`, which widens the error to `any Error` and would cost every caller its typed throws.
    @inline(__always)
    func withRawBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(DurabilityError) -> Result
    ) throws(DurabilityError) -> Result {
        let outcome = withUnsafeBytes { raw in Swift.Result { () throws(DurabilityError) in try body(raw) } }
        return try outcome.get()
    }
}
