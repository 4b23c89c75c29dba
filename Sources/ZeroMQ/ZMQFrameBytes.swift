/// Bytes that can be sent as one frame of a message, or given as a subscription prefix or routing id.
///
/// A conformer lends its own storage as one contiguous buffer for the duration of `body`; libzmq copies what it needs
/// before `body` returns, so nothing is copied on the Swift side. The buffer must not escape `body`.
public protocol ZMQFrameBytes {
    func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
}

extension [UInt8]: ZMQFrameBytes {
    public func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(body)
    }
}

extension ArraySlice<UInt8>: ZMQFrameBytes {
    public func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(body)
    }
}

extension UnsafeRawBufferPointer: ZMQFrameBytes {
    public func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(self)
    }
}

/// Sends the UTF-8 bytes, without a terminating NUL.
extension String: ZMQFrameBytes {
    public func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        // withUTF8 is mutating only to make a bridged string native; a native string, all there is on Linux, lends
        // its buffer as it is.
        var string = self
        return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

/// Sends the UTF-8 bytes, without a terminating NUL.
extension Substring: ZMQFrameBytes {
    public func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var substring = self
        return substring.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

extension ZMQFrameBytes {
    /// Lends the bytes to a body that may fail, carrying the failure out through the non-throwing requirement.
    @discardableResult
    func withFrameBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        try withFrameBytes { buffer in Result { () throws(ZMQError) in try body(buffer) } }.get()
    }
}
