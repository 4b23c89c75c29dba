import Foundation
import Testing
@testable import SegdCore

/// Replays the corpus that `tests/schema/decoder_corpus.py` labels with python-jsonschema through
/// the decoder: the schemas are the contract, so every verdict must agree.
@Suite struct DecoderSchemaCorpusTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SegdCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    @Test func decoderAgreesWithTheJSONSchemaValidatorOnEveryCorpusMessage() throws {
        let corpusURL = FileManager.default.temporaryDirectory.appendingPathComponent("segd-decoder-corpus-\(UUID().uuidString).tsv")
        defer { try? FileManager.default.removeItem(at: corpusURL) }

        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", Self.repositoryRoot.appendingPathComponent("tests/schema/decoder_corpus.py").path, corpusURL.path]
        let errors = Pipe()
        python.standardError = errors
        python.standardOutput = FileHandle.nullDevice
        try python.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        // A missing jsonschema must fail the test, not skip it: `make test` installs it.
        try #require(python.terminationStatus == 0, "decoder_corpus.py failed (status \(python.terminationStatus)): \(errorText)")

        let lines = try String(contentsOf: corpusURL, encoding: .utf8).split(separator: "\n")
        try #require(lines.count >= 1000, "the corpus has only \(lines.count) messages")

        var decoder = EventDecoder()
        var mismatches: [String] = []
        var validCount = 0
        for (number, line) in lines.enumerated() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            try #require(columns.count == 3, "corpus line \(number + 1) is not topic<TAB>payload<TAB>verdict")
            let payload = try #require(Data(base64Encoded: String(columns[1])), "corpus line \(number + 1): bad base64")
            let expectValid = columns[2] == "valid"
            validCount += expectValid ? 1 : 0
            let result = decoder.decode(topic: String(columns[0]), payload: Array(payload))
            let isValid = result.event != nil
            if isValid != expectValid {
                let shown = String(decoding: payload.prefix(300), as: UTF8.self)
                let decoderSays = result.rejection.map { "\($0.reason.rawValue): \($0.detail)" } ?? "valid"
                mismatches.append("line \(number + 1) [\(columns[0])] \(shown)\n  jsonschema: \(columns[2]), decoder: \(decoderSays)")
            }
        }
        #expect(validCount > 0 && validCount < lines.count, "the corpus must hold valid and invalid messages")
        let firstMismatches = mismatches.prefix(10).joined(separator: "\n")
        #expect(mismatches.count == 0, "\(mismatches.count) of \(lines.count) verdicts differ; first ones:\n\(firstMismatches)")
    }
}
