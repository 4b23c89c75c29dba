/// Bytes that can be sent as one frame of a message, or given as a subscription prefix or routing id.
///
/// A conformer lends its own storage as one contiguous buffer for the duration of `body`; libzmq copies what it needs
/// before `body` returns, so nothing is copied on the Swift side. The buffer must not escape `body`.
///
/// The requirement is deliberately not generic: `body` is the libzmq call itself and its `CInt` result comes back
/// (the error number is read after it returns, nothing in between touching it). A call through the witness table
/// from an unspecialized caller, as every send from another module is, then instantiates no generic type at run
/// time; a generic result wrapped in `Result` cost a metadata-cache lookup per frame, 8 % of the daemon's loop
/// thread at 400k alerts/s.
public protocol ZMQFrameBytes {
    func withFrameBytes(_ body: (UnsafeRawBufferPointer) -> CInt) -> CInt
}

extension [UInt8]: ZMQFrameBytes {
    public func withFrameBytes(_ body: (UnsafeRawBufferPointer) -> CInt) -> CInt {
        withUnsafeBytes(body)
    }
}

extension ArraySlice<UInt8>: ZMQFrameBytes {
    public func withFrameBytes(_ body: (UnsafeRawBufferPointer) -> CInt) -> CInt {
        withUnsafeBytes(body)
    }
}

extension UnsafeRawBufferPointer: ZMQFrameBytes {
    public func withFrameBytes(_ body: (UnsafeRawBufferPointer) -> CInt) -> CInt {
        body(self)
    }
}

/// Sends the UTF-8 bytes, without a terminating NUL.
extension String: ZMQFrameBytes {
    public func withFrameBytes(_ body: (UnsafeRawBufferPointer) -> CInt) -> CInt {
        // withUTF8 is mutating only to make a bridged string native; a native string, all there is on Linux, lends
        // its buffer as it is.
        var string = self
        return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

/// Sends the UTF-8 bytes, without a terminating NUL.
extension Substring: ZMQFrameBytes {
    public func withFrameBytes(_ body: (UnsafeRawBufferPointer) -> CInt) -> CInt {
        var substring = self
        return substring.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
