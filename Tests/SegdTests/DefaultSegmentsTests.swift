import Foundation
import Segd
import Testing

@Suite("Default segments")
struct DefaultSegmentsTests {
    @Test("over generated traffic, every customer is in exactly one lifecycle segment and at most one of every other family")
    func familiesAreExclusive() throws {
        let configuration = try SegdConfiguration.load(path: defaultConfigPath)
        let familyOf = Dictionary(uniqueKeysWithValues: configuration.engine.segments.compactMap { segment in
            segment.family.map { (segment.name, $0) }
        })
        let directory = try TemporaryDirectory()
        let input = directory.path("events.tsv")
        let profiles = directory.path("profiles.jsonl")
        try EventFileGenerator.write(events: 40_000, customers: 3_000, seed: 11, start: 1_767_225_600_000, span: 120 * 86_400_000, to: input)
        // The generator's events end about 120 days in; 200 days in, the quiet ones have churned.
        _ = try ReplayRunner.run(configuration: configuration, options: .init(input: input, until: 1_767_225_600_000 + 200 * 86_400_000, profiles: profiles))
        var lifecycleCounts: [String: Int] = [:]
        for line in try String(contentsOfFile: profiles, encoding: .utf8).split(separator: "\n") {
            let profile = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let segments = try #require(profile["segments"] as? [String])
            var perFamily: [String: Int] = [:]
            for segment in segments { if let family = familyOf[segment] { perFamily[family, default: 0] += 1 } }
            #expect(perFamily["lifecycle"] == 1, "\(profile["customer_id"] ?? "?"): \(segments)")
            let isBuyer = ((profile["features"] as? [String: Any])?["orders_total"] as? Int ?? 0) > 0
            // The 25 (R, FM) cells are partitioned, so every buyer has exactly one RFM segment.
            #expect(perFamily["rfm", default: 0] == (isBuyer ? 1 : 0), "\(profile["customer_id"] ?? "?"): \(segments)")
            #expect(perFamily.values.allSatisfy { $0 == 1 })
            for segment in segments where familyOf[segment] == "lifecycle" { lifecycleCounts[segment, default: 0] += 1 }
        }
        #expect(lifecycleCounts["prospect", default: 0] > 0)
        #expect(lifecycleCounts["churned", default: 0] > 0)
    }
}
