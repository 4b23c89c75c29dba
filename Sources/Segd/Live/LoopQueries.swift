import Synchronization
import SegdCore

/// The admin endpoints' questions about customers and segments, answered by the ingest loop
/// between batches: the engine has one owner, so a request is queued here, the loop is woken,
/// and the asking task resumes with the loop's answer. Requests made while the loop is not
/// running are answered when it starts, or with nothing when it has stopped.
public final class LoopQueries: AdminQueries {
    private enum Request {
        case customer(String)
        case segments
        case forget(String)
    }

    /// A forget request, which changes state and so is carried out by the loop itself.
    struct ForgetRequest {
        let customerID: String
        fileprivate let continuation: CheckedContinuation<[UInt8]?, Never>

        /// Answers with the number of segment exits published, or not found when `exits` is nil.
        func answer(exits: UInt64?) {
            guard let exits else {
                continuation.resume(returning: nil)
                return
            }
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("customer_id")
            writer.string(customerID)
            writer.key("forgotten")
            writer.bool(true)
            writer.key("segment_exits")
            writer.integer(Int64(exits))
            writer.endObject()
            continuation.resume(returning: writer.bytes)
        }
    }

    private struct State: ~Copyable {
        var pending: [(Request, CheckedContinuation<[UInt8]?, Never>)] = []
        var stopped = false
    }

    private let state = Mutex(State())
    private let wake: @Sendable () -> Void

    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    public func customer(id: String) async -> [UInt8]? {
        await ask(.customer(id))
    }

    public func segments() async -> [UInt8] {
        await ask(.segments) ?? Array(#"{"error":"segd is stopping"}"#.utf8)
    }

    public func forget(id: String) async -> [UInt8]? {
        await ask(.forget(id))
    }

    private func ask(_ request: Request) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            let stopped = state.withLock { state in
                if !state.stopped { state.pending.append((request, continuation)) }
                return state.stopped
            }
            if stopped { continuation.resume(returning: nil) } else { wake() }
        }
    }

    /// Takes the queued forget requests, for the loop to carry out.
    func takeForgetRequests() -> [ForgetRequest] {
        take(forgets: true).map { request, continuation in
            guard case .forget(let id) = request else { preconditionFailure("take(forgets: true) returned a lookup") }
            return ForgetRequest(customerID: id, continuation: continuation)
        }
    }

    /// Removes and returns the queued forget requests, or the queued lookups.
    private func take(forgets: Bool) -> [(Request, CheckedContinuation<[UInt8]?, Never>)] {
        state.withLock { state in
            var taken: [(Request, CheckedContinuation<[UInt8]?, Never>)] = []
            state.pending.removeAll { entry in
                let isForget = if case .forget = entry.0 { true } else { false }
                if isForget == forgets { taken.append(entry) }
                return isForget == forgets
            }
            return taken
        }
    }

    /// Answers every queued lookup from `engine`; the loop calls it each turn, after
    /// ``takeForgetRequests()``. `engine` is taken only when there is a lookup to answer: handing
    /// it over costs a retain and release of each of its arrays.
    func answer(from engine: @autoclosure () -> SegmentEngine) {
        let requests = take(forgets: false)
        guard !requests.isEmpty else { return }
        let engine = engine()
        var writer = JSONWriter()
        for (request, continuation) in requests {
            switch request {
            case .customer(let id):
                guard let customer = engine.store.index.lookup(id) else {
                    continuation.resume(returning: nil)
                    continue
                }
                ProfileExport.encode(customer, of: engine, into: &writer)
                continuation.resume(returning: writer.bytes)
            case .segments:
                Self.encodeSegments(engine, into: &writer)
                continuation.resume(returning: writer.bytes)
            case .forget:
                preconditionFailure("take(forgets: false) returned a forget request")
            }
        }
    }

    /// Answers what is queued with nothing and refuses further requests: the loop has stopped.
    func stop() {
        let requests = state.withLock { state in
            state.stopped = true
            defer { state.pending.removeAll() }
            return state.pending
        }
        for (_, continuation) in requests { continuation.resume(returning: nil) }
    }

    private static func encodeSegments(_ engine: SegmentEngine, into writer: inout JSONWriter) {
        writer.reset()
        writer.beginObject()
        writer.key("customers")
        writer.integer(engine.store.count)
        writer.key("clock")
        if engine.clock == .min { writer.null() } else { writer.timestamp(engine.clock) }
        writer.key("segments")
        writer.beginArray()
        for (index, segment) in engine.segments.enumerated() {
            writer.beginObject()
            writer.key("name")
            writer.string(segment.name)
            if let family = segment.family {
                writer.key("family")
                writer.string(family)
            }
            writer.key("members")
            writer.integer(engine.statistics.membersBySegment[index])
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}
