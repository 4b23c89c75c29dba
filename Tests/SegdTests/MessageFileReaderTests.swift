import Foundation
@testable import Segd
import Testing

@Suite("Message file reader")
struct MessageFileReaderTests {
    @Test("groups hand on every line in order, at most the group size each, across the reader's 1 MiB chunks")
    func groupsAcrossChunks() throws {
        let directory = try TemporaryDirectory()
        let input = directory.path("events.tsv")
        // About 2.3 MiB: the reader's chunks end inside lines, twice.
        let lines = (0..<24_000).map { number in
            number % 1_000 == 999 ? "no-tab-\(number)" : "clicks\t{\"event_id\":\"e-\(number)\",\"padding\":\"\(String(repeating: "x", count: number % 150))\"}"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)

        var read: [String] = []
        var sizes: [Int] = []
        try MessageFileReader(path: input).forEachGroup(maximumCount: 16) { group in
            sizes.append(group.count)
            for message in group {
                let topic = String(decoding: message.topic, as: UTF8.self)
                read.append(message.frames == 2 ? topic + "\t" + String(decoding: message.payload, as: UTF8.self) : topic)
                #expect((message.frames == 2) == topic.hasPrefix("clicks"))
            }
        }
        #expect(read == lines)
        #expect(sizes.allSatisfy { (1...16).contains($0) })
        // 24,000 lines are 1,500 whole groups; each chunk boundary cuts one short.
        #expect(sizes.count > 1_500)
    }
}
