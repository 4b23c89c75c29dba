import Foundation
import SegdCore

/// An outbound message as a test reads it: the topic and the parsed JSON object.
struct Published {
    let topic: String
    let object: [String: Any]
    let json: String

    var seq: Int { object["seq"] as? Int ?? -1 }
    var customer: String { object["customer_id"] as? String ?? "" }
    var ts: String { object["ts"] as? String ?? "" }
    var cause: String { object["cause"] as? String ?? "" }
    var features: [String: Any] { object["features"] as? [String: Any] ?? [:] }
}

/// Drives a real ``Pipeline`` (decoder and engine) with JSON text, as live ingest and replay do.
struct EngineHarness {
    var pipeline: Pipeline

    init(windows: [String] = ["24h", "7d", "30d", "90d"], lateness: Int64 = 0, segments: [(String, String)]) throws {
        try self.init(windows: windows, lateness: lateness, definitions: segments.map { EngineConfiguration.Segment(name: $0.0, rule: $0.1) })
    }

    init(
        windows: [String] = ["24h", "7d", "30d", "90d"], lateness: Int64 = 0, dedupCapacity: Int = EngineConfiguration.defaultDedupCapacity,
        definitions: [EngineConfiguration.Segment], churn: ChurnSettings? = nil
    ) throws {
        let configuration = EngineConfiguration(
            windows: try windows.map { try WindowSpec(parsing: $0) },
            allowedLatenessMilliseconds: lateness,
            dedupCapacity: dedupCapacity,
            segments: definitions,
            churn: churn)
        pipeline = try Pipeline(configuration: configuration, maxPayloadBytes: 65_536)
    }

    /// Wall-clock time of receipt the harness reports: 2100-01-01, so no test event is from the future
    /// unless a test says so.
    static let receivedAt: Int64 = 4_102_444_800_000

    mutating func send(_ topic: String, _ json: String, receivedAt: Int64 = EngineHarness.receivedAt) {
        var topicCopy = topic
        var jsonCopy = json
        topicCopy.withUTF8 { topicBytes in
            jsonCopy.withUTF8 {
                pipeline.ingest(topic: UnsafeRawBufferPointer(topicBytes), payload: UnsafeRawBufferPointer($0), receivedAt: receivedAt)
            }
        }
    }

    mutating func order(_ customer: String, at ts: String, amount: Int = 1000, id: String? = nil, currency: String = "USD") {
        let eventID = id ?? "o-\(customer)-\(ts)"
        send("orders", #"{"event_id":"\#(eventID)","customer_id":"\#(customer)","ts":"\#(ts)","amount":\#(amount),"currency":"\#(currency)"}"#)
    }

    mutating func click(_ customer: String, at ts: String, action: String = "view", id: String? = nil) {
        let eventID = id ?? "k-\(customer)-\(ts)-\(action)"
        send("clicks", #"{"event_id":"\#(eventID)","customer_id":"\#(customer)","ts":"\#(ts)","action":"\#(action)"}"#)
    }

    mutating func review(_ customer: String, at ts: String, rating: Int) {
        send("reviews", #"{"event_id":"r-\#(customer)-\#(ts)","customer_id":"\#(customer)","ts":"\#(ts)","rating":\#(rating)}"#)
    }

    mutating func advance(to ts: String) {
        pipeline.engine.advanceClock(to: EventTimeText.parse(ts)!)
    }

    /// Takes every outbound message produced so far.
    mutating func drain() -> [Published] {
        var messages: [Published] = []
        pipeline.engine.outbound.forEach { topic, json in
            let text = String(decoding: json, as: UTF8.self)
            let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] ?? [:]
            messages.append(Published(topic: String(decoding: topic, as: UTF8.self), object: object, json: text))
        }
        pipeline.engine.outbound.removeAll()
        return messages
    }

    /// Current feature value by name for a customer id.
    func feature(_ name: String, of customer: String) -> Double? {
        guard let number = pipeline.engine.store.index.lookup(customer),
              let slot = pipeline.engine.layout.slot(named: name) else { return nil }
        return pipeline.engine.features(of: number)[slot]
    }

    func isMember(_ customer: String, _ segment: String) -> Bool {
        guard let number = pipeline.engine.store.index.lookup(customer),
              let index = pipeline.engine.segments.firstIndex(where: { $0.name == segment }) else { return false }
        return pipeline.engine.store.isMember(number, segment: index)
    }
}
