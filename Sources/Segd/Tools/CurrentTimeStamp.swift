import Foundation
import SegdCore

/// `segd send --now`: gives a hand-typed event the current time as its `ts`. A live daemon refuses
/// an event older than its clock less `[engine] allowed_lateness` as `late`, and its clock follows
/// the wall clock when idle, so an example with a fixed time works only in the seconds after it
/// was written; stamped when sent, the same command works whenever it is pasted.
public enum CurrentTimeStamp {
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// `json` stamped with the wall clock's time now.
    public static func stampingNow(_ json: String) throws(Refusal) -> String {
        try stamping(json, at: WallClock.milliseconds())
    }

    /// `json` with `"ts":"<time as RFC 3339>"` as its first member, the rest of its bytes as they
    /// were. Refuses anything but a JSON object, and an object that already has a `ts`.
    public static func stamping(_ json: String, at milliseconds: Int64) throws(Refusal) -> String {
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        guard let object = parsed as? [String: Any] else { throw Refusal(description: "--now needs the event as a JSON object") }
        guard object["ts"] == nil else { throw Refusal(description: "--now sets ts itself: leave it out of the event") }
        var stamp = Array("\"ts\":\"".utf8)
        TimestampFormat.appendRFC3339(milliseconds, to: &stamp)
        stamp.append(UInt8(ascii: "\""))
        // A valid object's first byte other than white space is its `{`.
        let brace = json.firstIndex(of: "{")!
        let rest = json[json.index(after: brace)...]
        let separator = object.isEmpty ? "" : ","
        return json[...brace] + String(decoding: stamp, as: UTF8.self) + separator + rest
    }
}
