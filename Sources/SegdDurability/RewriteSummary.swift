/// What `Journal.rewrite` did, for the log line of a "forget customer" request.
public struct RewriteSummary: Sendable, Equatable {
    public internal(set) var recordsKept = 0
    public internal(set) var recordsRemoved = 0
    /// Segments replaced; a segment that loses nothing is left untouched.
    public internal(set) var segmentsRewritten = 0
    /// The incomplete end of the last segment, which the rewrite drops with the records it removes.
    public internal(set) var tornTail: TornTail?
}
