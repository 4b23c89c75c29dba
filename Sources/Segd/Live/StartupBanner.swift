/// What `segd run` prints once it is listening: where to send events, where alerts come out, and
/// the two commands to try.
public enum StartupBanner {
    public static func text(_ configuration: SegdConfiguration, _ endpoints: BoundEndpoints) -> String {
        let topics = configuration.ingest.topics.joined(separator: "|")
        var lines = ["segd running: config \(configuration.file), \(configuration.engine.segments.count) segments"]
        for endpoint in endpoints.sub { lines.append("  events in   SUB  \(endpoint)   (producers PUB-connect here; topics \(topics))") }
        for endpoint in endpoints.pull { lines.append("  events in   PULL \(endpoint)   (producers that must not lose PUSH-connect here)") }
        let churn = configuration.engine.churn == nil ? "" : ", churn.risk|recovered"
        // An XPUB, so segd sees subscriptions and full subscriber queues; consumers connect a SUB as to any PUB.
        for endpoint in endpoints.publish {
            lines.append("  alerts out  XPUB \(endpoint)   (consumers SUB-connect here; topics segment.<name>.enter|exit\(churn), deadletter)")
        }
        let pull = endpoints.pull.first.map { " --endpoint \($0)" } ?? ""
        let publish = endpoints.publish.first.map { " --endpoint \($0)" } ?? ""
        lines.append("try, in another terminal:")
        lines.append("  segd tail\(publish) segment.")
        // --now: an example with the start-up time in it would be refused as late once the
        // daemon's clock, which follows the wall clock, had moved past allowed_lateness.
        lines.append("  segd send\(pull) --now orders '{\"event_id\":\"o-1\",\"customer_id\":\"c-1\",\"amount\":59900,\"currency\":\"USD\"}'")
        lines.append("stop with Ctrl-C (SIGINT) or SIGTERM")
        return lines.joined(separator: "\n")
    }
}
