import Foundation
import Segd
import Testing

@Suite("segd send --now")
struct CurrentTimeStampTests {
    /// 2026-03-01T10:00:00.250Z
    let time: Int64 = 1_772_359_200_250

    @Test("the time goes in as the first member; the rest of the event keeps its bytes")
    func stampsFirstMember() throws {
        let event = #"{"event_id":"o-1", "customer_id":"c-1","amount":59900,"currency":"USD"}"#
        let stamped = try CurrentTimeStamp.stamping(event, at: time)
        #expect(stamped == #"{"ts":"2026-03-01T10:00:00.250Z","event_id":"o-1", "customer_id":"c-1","amount":59900,"currency":"USD"}"#)
    }

    @Test("white space before the object stays; an empty object gets no comma")
    func leadingSpaceAndEmptyObject() throws {
        #expect(try CurrentTimeStamp.stamping("  {}", at: time) == #"  {"ts":"2026-03-01T10:00:00.250Z"}"#)
        #expect(try CurrentTimeStamp.stamping("\n{ \"a\": 1 }", at: time) == "\n{\"ts\":\"2026-03-01T10:00:00.250Z\", \"a\": 1 }")
    }

    @Test("an event that has a ts, or is no JSON object, is refused with the reason")
    func refusals() {
        #expect(throws: CurrentTimeStamp.Refusal.self) { try CurrentTimeStamp.stamping(#"{"ts":1,"event_id":"o-1"}"#, at: time) }
        for notAnObject in [#"[{"event_id":"o-1"}]"#, #""ts""#, "42", #"{"event_id":"#, ""] {
            do {
                _ = try CurrentTimeStamp.stamping(notAnObject, at: time)
                Issue.record("\(notAnObject) was stamped")
            } catch {
                #expect(error.description == "--now needs the event as a JSON object")
            }
        }
    }

    @Test("what it stamps parses as the same object with the time added")
    func stampedParses() throws {
        let stamped = try CurrentTimeStamp.stamping(#"{"event_id":"r-1","customer_id":"c-2","rating":5,"product_id":"p-1"}"#, at: time)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stamped.utf8)) as? [String: Any])
        #expect(object["ts"] as? String == "2026-03-01T10:00:00.250Z")
        #expect(object["rating"] as? Int == 5)
        #expect(object.count == 5)
    }
}
