import Foundation
import SegdCore
import Testing

/// Checks BG/NBD against an independent implementation, tests/churn/bgnbd_reference.py (SciPy's
/// hyp2f1, gammaln and betaln), on every customer of the full CDNOW cohort. The script must run:
/// a missing Python, NumPy or SciPy fails the test rather than skipping it.
@Suite("Churn reference implementation")
struct ChurnReferenceTests {
    static let script = CDNOW.repositoryRoot.appendingPathComponent("tests/churn/bgnbd_reference.py").path

    @Test(
        "P(alive), conditional expected purchases and the log-likelihood agree with SciPy to 1e-6 on all 23,570 customers",
        arguments: [
            (CDNOW.paperEstimates, 52.0),
            (BGNBDParameters(r: 0.5, alpha: 10, a: 1.7, b: 3.1), 26.0),
        ])
    func agreesWithSciPy(parameters: BGNBDParameters, horizon: Double) throws {
        let rows = try CDNOW.rows(CDNOW.masterPath)
        let customers = CDNOW.observations(rows, through: CDNOW.lastDay, unit: .weeks)
        #expect(customers.count == 23_570)
        var input = "\(parameters.r) \(parameters.alpha) \(parameters.a) \(parameters.b) \(horizon)\n"
        for customer in customers { input += "\(customer.frequency) \(customer.recency) \(customer.age)\n" }
        let output = try Self.runReference(input)
        let lines = output.split(separator: "\n")
        try #require(lines.count == customers.count)
        var mismatches = 0
        for (customer, line) in zip(customers, lines) {
            let expected = line.split(separator: " ").map { Double($0)! }
            let actual = [
                parameters.probabilityAlive(customer),
                parameters.expectedPurchases(in: horizon, customer),
                parameters.logLikelihood(customer),
            ]
            for (ours, theirs) in zip(actual, expected) where !(abs(ours - theirs) <= 1e-6 * abs(theirs)) {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(customer): ours \(actual), SciPy \(expected)") }
            }
        }
        #expect(mismatches == 0)
    }

    /// Runs the reference script on `input` and returns what it prints; throws with its standard
    /// error when it fails. Files rather than pipes carry the data, so neither side can block.
    static func runReference(_ input: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("segd-churn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("input.txt")
        let outputURL = directory.appendingPathComponent("output.txt")
        let errorURL = directory.appendingPathComponent("error.txt")
        try input.write(to: inputURL, atomically: false, encoding: .utf8)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceFailure(status: process.terminationStatus, stderr: try String(contentsOf: errorURL, encoding: .utf8))
        }
        return try String(contentsOf: outputURL, encoding: .utf8)
    }
}

/// The reference script exited unsuccessfully (Python, NumPy or SciPy missing, or a bug).
struct ReferenceFailure: Error, CustomStringConvertible {
    let status: Int32
    let stderr: String

    var description: String { "tests/churn/bgnbd_reference.py exited with status \(status): \(stderr)" }
}
