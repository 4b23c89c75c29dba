import Testing
@testable import SegdCore

@Suite struct DecoderTimestampTests {
    private func milliseconds(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBytes { RFC3339Timestamp.epochMilliseconds($0) }
    }

    @Test func epochStartIsZero() {
        #expect(milliseconds("1970-01-01T00:00:00Z") == 0)
        #expect(milliseconds("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test func rangeEndsMatchTheSchema() {
        #expect(milliseconds("9999-12-31T23:59:59.999Z") == EventField.maxEpochMilliseconds)
        #expect(milliseconds("0001-01-01T00:00:00Z") == -62_135_596_800_000)
        #expect(milliseconds("0000-01-01T00:00:00Z") == nil)
    }

    @Test(arguments: [
        ("2024-02-29T00:00:00Z", true), ("2025-02-29T00:00:00Z", false), ("2000-02-29T00:00:00Z", true),
        ("1900-02-29T00:00:00Z", false), ("2100-02-29T00:00:00Z", false), ("2400-02-29T00:00:00Z", true),
        ("0004-02-29T00:00:00Z", true), ("2026-02-28T00:00:00Z", true), ("2026-02-30T00:00:00Z", false),
        ("2026-04-30T00:00:00Z", true), ("2026-04-31T00:00:00Z", false), ("2026-12-31T00:00:00Z", true),
        ("2026-01-32T00:00:00Z", false), ("2026-01-00T00:00:00Z", false), ("2026-13-01T00:00:00Z", false),
        ("2026-00-01T00:00:00Z", false),
    ])
    func calendarRulesDecideWhichDaysExist(text: String, exists: Bool) {
        #expect((milliseconds(text) != nil) == exists)
    }

    @Test func leapDayIsOneDayAfterFebruary28() throws {
        let leapDay = try #require(milliseconds("2024-02-29T00:00:00Z"))
        #expect(try #require(milliseconds("2024-02-28T00:00:00Z")) + 86_400_000 == leapDay)
        #expect(try #require(milliseconds("2024-03-01T00:00:00Z")) - 86_400_000 == leapDay)
    }

    @Test(arguments: [
        ("2026-03-14T09:26:53Z", 1_773_480_413_000), ("2026-03-14T09:26:53.5Z", 1_773_480_413_500),
        ("2026-03-14T09:26:53.58Z", 1_773_480_413_580), ("2026-03-14T09:26:53.589Z", 1_773_480_413_589),
        ("2026-03-14T09:26:53.5899Z", 1_773_480_413_589), ("2026-03-14T09:26:53.999999999Z", 1_773_480_413_999),
        ("2026-03-14T09:26:53.000000001Z", 1_773_480_413_000), ("1969-07-20T20:17:40.9Z", -14_182_939_100),
    ])
    func fractionalSecondsAreTruncatedToMilliseconds(text: String, expected: Int64) {
        #expect(milliseconds(text) == expected)
    }

    @Test(arguments: [
        "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00.1234567890Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00", "2026-01-01T00:00:00+00:00", "2026-1-01T00:00:00Z", "+2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z\n", "2026-01-01", "", "2026-01-01T0a:00:00Z", "2026-01-01T00:00:00.1a3Z",
    ])
    func formsOutsideTheSchemaPatternAreRejected(text: String) {
        #expect(milliseconds(text) == nil)
    }

    @Test func everyYearIsAsLongAsTheLeapYearRuleSays() throws {
        // Count independently: a year has 366 days when divisible by 4, except centuries not divisible by 400.
        let day: Int64 = 86_400_000
        var januaryFirst = try #require(milliseconds("0001-01-01T00:00:00Z"))
        for year in 1...9999 {
            let digits = String(repeating: "0", count: 4 - String(year).count) + String(year)
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            #expect(milliseconds("\(digits)-01-01T00:00:00Z") == januaryFirst)
            #expect(milliseconds("\(digits)-03-01T00:00:00Z") == januaryFirst + (isLeap ? 60 : 59) * day)
            #expect((milliseconds("\(digits)-02-29T00:00:00Z") != nil) == isLeap)
            januaryFirst += (isLeap ? 366 : 365) * day
        }
        #expect(januaryFirst == EventField.maxEpochMilliseconds + 1)
    }

    @Test(arguments: [
        (#""2026-03-14T09:26:53.589Z""#, Int64?.some(1_773_480_413_589)), ("0", 0), ("-0", 0),
        ("253402300799999", 253_402_300_799_999), ("1773480413589", 1_773_480_413_589), ("1.773480413589e12", 1_773_480_413_589),
        ("1773480413589.0", 1_773_480_413_589), ("253402300800000", nil), ("-1", nil), ("1773480413589.5", nil),
        (#""2025-02-29T00:00:00Z""#, nil), (#""0000-01-01T00:00:00Z""#, nil), ("null", nil), (#"1e400"#, nil),
    ])
    func eventTimeIsAStringOrIntegerEpochMilliseconds(ts: String, expected: Int64?) throws {
        var decoder = EventDecoder()
        let result = decoder.decode("clicks", DecoderSample.click(ts: ts))
        #expect(result.event?.timestamp == expected)
        if expected == nil { #expect(result.reason == .invalidField) }
    }
}
