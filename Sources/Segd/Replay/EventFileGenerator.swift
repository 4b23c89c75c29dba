import SegdCore

/// `segd generate`: writes ``EventGenerator`` output as an event file, with exponentially
/// distributed gaps so the events cover `span` of event time on average.
public enum EventFileGenerator {
    public static func write(events: Int, customers: Int, seed: UInt64, start: Int64, span: Int64, to path: String) throws {
        var generator = EventGenerator(options: .init(seed: seed, customers: customers))
        let output = try MessageFileWriter(path: path)
        let meanGap = Double(span) / Double(events)
        var time = start
        for _ in 0..<events {
            let (kind, json) = generator.next(at: time)
            let topic = kind.topic
            var topicCopy = topic
            try topicCopy.withUTF8 { topicBytes in
                try json.withUnsafeBytes { try output.writeMessage(topic: UnsafeRawBufferPointer(topicBytes), json: $0) }
            }
            time += generator.exponentialGap(mean: meanGap)
        }
        try output.flush()
    }
}
