import Foundation
import SegdCore

/// What `segd check-config` prints for a valid file: the effective settings, defaults included,
/// so an operator sees what the daemon will actually do.
public enum ConfigurationReport {
    public static func text(_ configuration: SegdConfiguration) -> String {
        let engine = configuration.engine
        var lines = ["\(configuration.file): OK"]
        lines.append("ingest:  SUB bind \(list(configuration.ingest.subBind)), SUB connect \(list(configuration.ingest.subConnect)), PULL bind \(list(configuration.ingest.pullBind))")
        lines.append("         topics \(configuration.ingest.topics.joined(separator: ", ")); max message \(configuration.ingest.maxMessageBytes) bytes; receive HWM \(configuration.ingest.receiveHighWaterMark)")
        lines.append("publish: PUB bind \(list(configuration.publish.bind)); send HWM \(configuration.publish.sendHighWaterMark)")
        lines.append("engine:  currency \(engine.currency) (\(engine.minorUnitsPerMajor) minor units); windows \(engine.windows.map(\.description).joined(separator: ", ")); allowed lateness \(EventTimeText.formatDuration(engine.allowedLatenessMilliseconds)); idle advance \(EventTimeText.formatDuration(configuration.idleAdvanceMilliseconds))")
        lines.append(engine.dedupHorizonMilliseconds > 0
            ? "         dedup: event ids remembered for \(EventTimeText.formatDuration(engine.dedupHorizonMilliseconds)), at most \(engine.dedupCapacity)"
            : "         dedup: off (dedup_horizon = \"0s\")")
        if let churn = engine.churn { lines.append("churn:   " + describe(churn)) }
        let durability = configuration.durability
        lines.append(durability.enabled
            ? "state:   \(durability.directory); journal fsync \(durability.fsync); snapshot every \(EventTimeText.formatDuration(durability.snapshotIntervalMilliseconds)), \(durability.snapshotsRetained) kept"
            : "state:   in memory only ([durability] enabled = false)")
        lines.append("log:     level \(configuration.logLevel)")
        lines.append("segments (\(engine.segments.count)):")
        let width = engine.segments.map(\.name.count).max() ?? 0
        for segment in engine.segments {
            let family = segment.family.map { "[\($0)] " } ?? ""
            lines.append("  \(segment.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(family)\(segment.rule)")
        }
        return lines.joined(separator: "\n")
    }

    private static func list(_ endpoints: [String]) -> String {
        endpoints.isEmpty ? "-" : endpoints.joined(separator: " ")
    }

    private static func describe(_ churn: ChurnSettings) -> String {
        var parts: [String] = []
        if let model = churn.model {
            let p = model.purchases
            parts.append("BG/NBD in \(model.unit.rawValue) r \(p.r) alpha \(p.alpha) a \(p.a) b \(p.b)")
            parts.append(model.spend == nil ? "no spend model" : "Gamma-Gamma spend model")
            parts.append(model.oneTimeBuyerDays.map { "one-time buyers at risk after \($0) days" } ?? "one-time buyers not judged")
        } else {
            parts.append("no model until the first refit")
        }
        parts.append("risk below \(churn.threshold), recovered at \(churn.threshold + churn.hysteresis)")
        parts.append("horizons \(churn.horizons.map(\.description).joined(separator: ", "))")
        parts.append(churn.refitIntervalMilliseconds.map { "refit every \(EventTimeText.formatDuration($0))" } ?? "no refit")
        return parts.joined(separator: "; ")
    }
}
