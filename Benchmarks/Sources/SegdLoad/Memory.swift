import Foundation
import Glibc

/// Resident memory per customer: `segd replay` (the release binary, default config) reads from a
/// pipe, fed one order per distinct customer; when the pipe is drained and the process has gone to
/// sleep on it, VmRSS and VmHWM are read from `/proc/PID/status` while it still holds all state,
/// then the pipe is closed and the summary checked. The same with no events gives the baseline.
///
/// Event times are spread evenly over 90 days (`--span-days`), so at the end the 90-day window of
/// every customer is live (one profile, one hour and one day bucket, one pending timer each), while
/// the dedup filter holds only the ids of the last 24 hours (its horizon), about N/90 of them.
func runMemory(_ options: Options) throws {
    let sizes = try options.ints("customers", default: [100_000, 1_000_000])
    let segd = try options.string("segd", default: Paths.segdBinary)
    let config = try options.string("config", default: Paths.defaultConfig)
    let spanDays = try options.int("span-days", default: 90)
    let baseline = try measureReplay(segd: segd, config: config, customers: 0, spanDays: spanDays)
    print("memory: empty replay VmRSS \(baseline.rss / 1024) KiB, VmHWM \(baseline.hwm / 1024) KiB")
    for customers in sizes {
        let result = try measureReplay(segd: segd, config: config, customers: customers, spanDays: spanDays)
        let rssPer = Double(result.rss - baseline.rss) / Double(customers)
        let hwmPer = Double(result.hwm - baseline.hwm) / Double(customers)
        print(String(format: "memory: %d customers: VmRSS %d MiB, VmHWM %d MiB → %.0f B/customer (RSS), %.0f B/customer (HWM); fed in %.1f s; summary: %@",
                     customers, result.rss >> 20, result.hwm >> 20, rssPer, hwmPer, result.seconds, result.summary))
        recordResult("{\"benchmark\":\"memory\",\"customers\":\(customers),\"rss_bytes\":\(result.rss),\"hwm_bytes\":\(result.hwm),"
            + "\"baseline_rss\":\(baseline.rss),\"baseline_hwm\":\(baseline.hwm),\"rss_per_customer\":\(Int(rssPer)),\"hwm_per_customer\":\(Int(hwmPer))}")
    }
}

private struct MemoryReading {
    var rss: Int
    var hwm: Int
    var seconds: Double
    var summary: String
}

private func measureReplay(segd: String, config: String, customers: Int, spanDays: Int) throws -> MemoryReading {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: segd)
    process.arguments = ["replay", "--config", config, "--input", "-"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let pid = process.processIdentifier
    let writeDescriptor = input.fileHandleForWriting.fileDescriptor
    let start = monotonicNanoseconds()

    let firstTime: Int64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z
    let gap = customers > 0 ? Int64(spanDays) * 86_400_000 / Int64(customers) : 0
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    func flush() {
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(writeDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 { if errno == EINTR { continue }; fatalError("write to segd replay: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
    let head = Array("orders\t{\"event_id\":\"m-".utf8)
    let customerPart = Array("\",\"customer_id\":\"m-".utf8)
    let tsPart = Array("\",\"ts\":".utf8)
    let tail = Array(",\"amount\":2500,\"currency\":\"USD\"}\n".utf8)
    for customer in 0..<customers {
        buffer.append(contentsOf: head)
        appendDecimal(customer, to: &buffer)
        buffer.append(contentsOf: customerPart)
        appendDecimal(customer, to: &buffer)
        buffer.append(contentsOf: tsPart)
        appendDecimal(Int(firstTime + Int64(customer) * gap), to: &buffer)
        buffer.append(contentsOf: tail)
        if buffer.count >= (1 << 20) - 256 { flush() }
    }
    flush()

    // Wait until segd has read everything and sleeps in read(2) with its CPU time no longer moving.
    var quiet = 0
    var lastTicks = -1
    while quiet < 5 {
        usleep(100_000)
        var pending: Int32 = 0
        _ = ioctl(writeDescriptor, UInt(FIONREAD), &pending)
        guard let state = procState(pid) else { throw UsageError(description: "segd replay exited early") }
        quiet = (pending == 0 && state.state == "S" && state.cpuTicks == lastTicks) ? quiet + 1 : 0
        lastTicks = state.cpuTicks
    }
    let seconds = Double(monotonicNanoseconds() - start) / 1e9
    let status = procStatusKilobytes(pid)
    try input.fileHandleForWriting.close()
    let summaryData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var summary = String(decoding: summaryData, as: UTF8.self)
    if let range = summary.range(of: "\"customers\":") {
        summary = "customers " + summary[range.upperBound...].prefix { $0.isNumber }
    }
    if let range = String(decoding: summaryData, as: UTF8.self).range(of: "\"rejected\":") {
        summary += ", rejected " + String(decoding: summaryData, as: UTF8.self)[range.upperBound...].prefix { $0.isNumber }
    }
    guard let rss = status["VmRSS"], let hwm = status["VmHWM"] else { throw UsageError(description: "no VmRSS for \(pid)") }
    return MemoryReading(rss: rss * 1024, hwm: hwm * 1024, seconds: seconds, summary: summary)
}
