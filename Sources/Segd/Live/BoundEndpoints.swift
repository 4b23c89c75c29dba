/// The endpoints a running daemon actually listens on (wildcard ports resolved), for the start-up
/// banner, the demo and tests that bind `tcp://127.0.0.1:*`.
public struct BoundEndpoints: Sendable, Equatable {
    public var sub: [String] = []
    public var pull: [String] = []
    public var publish: [String] = []

    public init(sub: [String] = [], pull: [String] = [], publish: [String] = []) {
        self.sub = sub
        self.pull = pull
        self.publish = publish
    }
}
