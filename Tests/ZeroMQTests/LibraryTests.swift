import Testing
import ZeroMQ

@Suite("The linked libzmq")
struct LibraryTests {
    @Test func versionIsTheLinkedLibrary() {
        let version = ZMQ.version
        #expect(version.major == 4)
        #expect(version.minor >= 3)
    }

    @Test func hasReportsBuiltCapabilities() {
        #expect(ZMQ.has("ipc"))
        #expect(!ZMQ.has("no-such-capability"))
    }
}
