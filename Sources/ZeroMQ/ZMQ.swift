import CZeroMQ

/// Facts about the libzmq this process is linked against. Stateless; usable from any thread.
public enum ZMQ {
    /// The linked libzmq version, as reported by `zmq_version` at run time (not the headers built against).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: CInt = 0
        var minor: CInt = 0
        var patch: CInt = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with a capability, such as `"curve"`, `"ipc"` or `"draft"` (`zmq_has`).
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
