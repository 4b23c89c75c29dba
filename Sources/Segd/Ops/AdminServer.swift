import Hummingbird
public import Logging
import NIOCore
public import Prometheus
public import ServiceLifecycle
import Synchronization

/// The HTTP admin listener: `/metrics`, `/healthz`, `/readyz`, `/v1/customers/{id}` (GET, and DELETE
/// to forget), `/v1/segments`.
///
/// A ServiceLifecycle `Service`: put it in the daemon's `ServiceGroup` *before* the ingest
/// service, so that on SIGTERM it is shut down last and keeps answering (`/readyz` 503) while the
/// engine drains. It knows nothing of the engine: metrics come from a registry, health from
/// ``AdminHealth``, data from ``AdminQueries``.
public struct AdminServer: Service {
    public struct Configuration: Sendable, Equatable {
        /// Address to bind. Loopback by default: the admin API has no authentication.
        public var host: String
        /// TCP port; 0 lets the kernel pick one (see ``AdminServer/listeningPort()``).
        public var port: Int

        public static let defaultPort = 7404

        public init(host: String = "127.0.0.1", port: Int = Self.defaultPort) {
            self.host = host
            self.port = port
        }
    }

    public enum ServerError: Error, Sendable {
        /// `run()` ended before the socket was bound (bind failure or cancellation).
        case stoppedBeforeListening
    }

    public let configuration: Configuration
    private let responder: AdminResponder
    private let logger: Logger
    private let listening = ListeningState()

    /// - Parameters:
    ///   - beforeScrape: called at the start of every `/metrics` request, to refresh values that
    ///     are computed rather than counted (``SegdMetrics/refreshBeforeScrape()``).
    public init(
        configuration: Configuration = .init(),
        registry: PrometheusCollectorRegistry,
        health: AdminHealth,
        queries: any AdminQueries,
        beforeScrape: (@Sendable () -> Void)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.responder = AdminResponder(registry: registry, health: health, queries: queries, beforeScrape: beforeScrape)
        self.logger = logger
    }

    /// Serves until graceful shutdown (or cancellation) of the surrounding `ServiceGroup`.
    public func run() async throws {
        let listening = self.listening
        let logger = self.logger
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? -1
                logger.info("admin HTTP listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                listening.resolve(port: port)
            },
            logger: logger
        )
        defer { listening.finish() }
        try await app.run()
    }

    /// The bound TCP port, once listening (nil before). With port 0 this is the ephemeral port.
    public var boundPort: Int? { listening.port }

    /// Waits until the server listens and returns the bound port; throws
    /// ``ServerError/stoppedBeforeListening`` if `run()` ends first.
    public func listeningPort() async throws -> Int {
        try await listening.wait()
    }
}

/// The bound port, and the tasks waiting for it.
private final class ListeningState: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case listening(Int)
        case finished
    }
    private let state = Mutex<State>(.waiting([]))

    var port: Int? {
        state.withLock { if case .listening(let port) = $0 { port } else { nil } }
    }

    func resolve(port: Int) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .listening(port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func finish() {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .finished
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: AdminServer.ServerError.stoppedBeforeListening) }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .listening(let port):
                    return .success(port)
                case .finished:
                    return .failure(AdminServer.ServerError.stoppedBeforeListening)
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

/// Routing by hand: five fixed paths, and full control of 404 versus 405.
struct AdminResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let registry: PrometheusCollectorRegistry
    let health: AdminHealth
    let queries: any AdminQueries
    let beforeScrape: (@Sendable () -> Void)?

    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let route = Route(path: path)
        guard let route else {
            return Self.json(.notFound, #"{"error":"not found","path":"# + Self.jsonString(path) + "}")
        }
        let allowed = route.allowedMethods
        guard allowed.contains(request.method) else {
            var response = Self.json(
                .methodNotAllowed,
                #"{"error":"method not allowed","method":"# + Self.jsonString(request.method.rawValue) + "}"
            )
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
        switch route {
        case .metrics:
            beforeScrape?()
            return Self.bytes(.ok, Self.prometheusContentType, registry.emitToBuffer())
        case .healthz:
            let now = MonotonicClock.microseconds()
            let age = health.heartbeatAgeMicroseconds(now: now)
            let live = age <= health.stallLimitMicroseconds
            let body = (live ? "ok" : "stalled") + "\nheartbeat_age_seconds " + Self.seconds(age)
                + "\nstall_limit_seconds " + Self.seconds(health.stallLimitMicroseconds) + "\n"
            return Self.text(live ? .ok : .serviceUnavailable, body)
        case .readyz:
            switch health.readiness {
            case .ready: return Self.text(.ok, "ready\n")
            case .starting: return Self.text(.serviceUnavailable, "starting\n")
            case .stopping: return Self.text(.serviceUnavailable, "stopping\n")
            }
        case .segments:
            return Self.bytes(.ok, "application/json", await queries.segments())
        case .customer(let rawID):
            guard let id = PercentEncoding.decode(rawID), !id.isEmpty else {
                return Self.json(.badRequest, #"{"error":"bad customer id","id":"# + Self.jsonString(rawID) + "}")
            }
            let answer = request.method == .delete ? await queries.forget(id: id) : await queries.customer(id: id)
            guard let body = answer else {
                return Self.json(.notFound, #"{"error":"customer not found","id":"# + Self.jsonString(id) + "}")
            }
            return Self.bytes(.ok, "application/json", body)
        }
    }

    enum Route: Equatable {
        case metrics, healthz, readyz, segments
        /// GET looks the customer up; DELETE erases them (`segd forget`).
        case customer(Substring)

        var allowedMethods: [HTTPRequest.Method] {
            if case .customer = self { return [.get, .delete] }
            return [.get]
        }

        init?(path: String) {
            switch path {
            case "/metrics": self = .metrics
            case "/healthz": self = .healthz
            case "/readyz": self = .readyz
            case "/v1/segments": self = .segments
            default:
                let prefix = "/v1/customers/"
                guard path.hasPrefix(prefix) else { return nil }
                let id = path.dropFirst(prefix.count)
                guard !id.isEmpty, !id.contains("/") else { return nil }
                self = .customer(id)
            }
        }
    }

    // MARK: Response helpers

    static func bytes(_ status: HTTPResponse.Status, _ contentType: String, _ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        bytes(status, "text/plain; charset=utf-8", Array(body.utf8))
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        bytes(status, "application/json", Array(body.utf8))
    }

    /// Microseconds as seconds with millisecond precision, without Foundation.
    static func seconds(_ micros: UInt64) -> String {
        let millis = micros / 1_000
        let fraction = String(millis % 1_000)
        return "\(millis / 1_000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// A JSON string literal, quotes included.
    static func jsonString(_ text: some StringProtocol) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
