import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Answers as a real server, or a proxy in front of it, sometimes does instead of as
/// documented: the sandbox's ``SandboxConfiguration/oddities``, which only tests set.
///
/// It sits inside ``SandboxMiddleware`` (key check, errors, request log) and in front of the
/// handlers, which therefore speak only the documented API. A redirect or an HTML page
/// answers before the handler runs; the other kinds let it do the work and rewrite its
/// reply. The two kinds that change what a session holds use the state's hooks
/// (``SandboxState/dropTail(token:bytes:)``, ``SandboxState/expire(token:)``).
final class OddityMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext
    private let oddities: [SandboxOddity]
    /// How many requests each of `oddities` has been applied to.
    private let used: Mutex<[Int]>
    private let state: SandboxState
    private let logger: Logger

    init(_ oddities: [SandboxOddity], state: SandboxState, logger: Logger) {
        self.oddities = oddities
        self.used = Mutex(Array(repeating: 0, count: oddities.count))
        self.state = state
        self.logger = logger
    }

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let endpoint = Self.endpoint(of: request) else { return try await next(request, context) }
        if let early = take(
            endpoint,
            where: { kind in
                switch kind {
                case .redirect, .htmlErrorPage: true
                default: false
                }
            })
        {
            return answerInstead(early, request)
        }

        var request = request
        var expiry: SessionExpiry?
        if endpoint == .upload,
            case .expireAfterBytes(let bytes)? = take(
                .upload,
                where: {
                    if case .expireAfterBytes = $0 { true } else { false }
                })
        {
            let watch = SessionExpiry(token: Self.token(of: request), bytes: bytes, state: state, logger: logger)
            request.body = RequestBody(asyncSequence: ExpiringBody(base: request.body, expiry: watch))
            expiry = watch
        }
        let response = try await next(request, context)
        if expiry?.fired == true { throw APIError.sessionGone }
        guard hasPending(endpoint) else { return response }

        let body = try await Self.collect(response.body)
        // The rewritten body has a length of its own.
        var headers = response.headers
        headers[.contentLength] = nil
        guard var object = Self.object(in: body) else {
            return Response(status: response.status, headers: headers, body: .init(byteBuffer: body))
        }
        if endpoint == .status {
            let shift = take(.status) { kind in
                switch kind {
                case .offsetAhead, .offsetBehind: true
                default: false
                }
            }
            switch shift {
            case .offsetAhead(let by)?:
                if case .number(let held)? = object["file_offset"] { object["file_offset"] = .number(held + by) }
            case .offsetBehind(let by)?:
                object["file_offset"] = .number(await state.dropTail(token: Self.token(of: request), bytes: by))
            default:
                break
            }
        }
        return reply(endpoint, object, status: response.status, headers: headers)
    }

    /// The first oddity for `endpoint` that `applies` accepts and whose count is not used
    /// up; counts it as used.
    private func take(_ endpoint: SandboxOddity.Endpoint, where applies: (SandboxOddity.Kind) -> Bool) -> SandboxOddity.Kind? {
        used.withLock { used in
            for (index, oddity) in oddities.enumerated()
            where oddity.endpoint == endpoint && used[index] < oddity.count && applies(oddity.kind) {
                used[index] += 1
                return oddity.kind
            }
            return nil
        }
    }

    /// Whether any oddity for `endpoint` is still due (else its reply passes untouched).
    private func hasPending(_ endpoint: SandboxOddity.Endpoint) -> Bool {
        used.withLock { used in
            oddities.indices.contains { oddities[$0].endpoint == endpoint && used[$0] < oddities[$0].count }
        }
    }

    /// The answer given instead of running the handler (redirect, HTML page).
    private func answerInstead(_ kind: SandboxOddity.Kind, _ request: Request) -> Response {
        switch kind {
        case .redirect(let location):
            logger.info("oddity: redirect", metadata: ["to": "\(location)"])
            var headers = HTTPFields()
            headers[.location] = location + request.uri.string
            return jsonResponse(.temporaryRedirect, ["error": .string("moved")], headers: headers)
        case .htmlErrorPage(let status):
            logger.info("oddity: HTML error page", metadata: ["status": "\(status)"])
            let page = """
                <!DOCTYPE html>
                <html><head><title>\(status) Bad Gateway</title></head>
                <body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>

                """
            return Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        default:
            preconditionFailure("\(kind) is not answered before the handler")
        }
    }

    /// The handler's reply `object`, or the odd reply that is due instead.
    private func reply(
        _ endpoint: SandboxOddity.Endpoint, _ object: [String: JSONValue], status: HTTPResponse.Status, headers: HTTPFields
    ) -> Response {
        let kind = take(endpoint) { kind in
            switch kind {
            case .garbageJSON, .emptyBody, .missingID, .hugeBody, .neverEndingReply: true
            case .missingHandle: object["h"] != nil
            case .offsetAsString: object["file_offset"] != nil
            default: false
            }
        }
        guard let kind else { return jsonResponse(status, object, headers: headers) }
        logger.info("oddity", metadata: ["kind": "\(kind)"])
        let json: HTTPFields = [.contentType: "application/json"]
        switch kind {
        case .garbageJSON:
            return Response(status: .ok, headers: json, body: .init(byteBuffer: ByteBuffer(string: "{\"id\": \"upl")))
        case .emptyBody:
            return Response(status: .ok, headers: json, body: .init())
        case .missingID, .missingHandle:
            var trimmed = object
            trimmed[kind == .missingID ? "id" : "h"] = nil
            if trimmed.isEmpty { trimmed["success"] = .string("true") }
            return jsonResponse(.ok, trimmed)
        case .offsetAsString:
            var changed = object
            if case .number(let n)? = object["file_offset"] { changed["file_offset"] = .string(String(n)) }
            return jsonResponse(.ok, changed)
        case .hugeBody(let bytes):
            var buffer = ByteBuffer(string: "{\"pad\":\"")
            buffer.writeRepeatingByte(UInt8(ascii: "x"), count: max(0, bytes - 10))
            buffer.writeString("\"}")
            return Response(status: .ok, headers: json, body: .init(byteBuffer: buffer))
        case .neverEndingReply:
            return Response(
                status: .ok, headers: json,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{"))
                    // A byte every 200 ms for at most ten minutes; a write fails once the client is gone.
                    for _ in 0..<3000 {
                        try await Task.sleep(for: .milliseconds(200))
                        try await writer.write(ByteBuffer(string: " "))
                    }
                    try await writer.write(ByteBuffer(string: "}"))
                    try await writer.finish(nil)
                })
        case .htmlErrorPage, .redirect, .offsetAhead, .offsetBehind, .expireAfterBytes:
            return jsonResponse(status, object, headers: headers)
        }
    }

    /// Which endpoint `request` is for, as the router dispatches it; `nil` for others.
    private static func endpoint(of request: Request) -> SandboxOddity.Endpoint? {
        let path = request.uri.path
        switch (request.method, path) {
        case (.post, "/uploads"): return .create
        case (.post, "/media"): return .media
        default: break
        }
        // Sessions are the one-component routes (`/upload:…`); `/sandbox/stats` has two.
        guard path.count > 1, !path.dropFirst().contains("/"), !SandboxHandlers.isMediaID(String(path.dropFirst())) else { return nil }
        switch request.method {
        case .get: return .status
        case .post: return .upload
        default: return nil
        }
    }

    /// The session token in a `/upload:<token>` path (checked by the handler already
    /// wherever its reply is rewritten).
    private static func token(of request: Request) -> String {
        String(request.uri.path.dropFirst("/upload:".count))
    }

    /// A reply body as one buffer (the handlers' replies are small JSON objects).
    private static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = CollectedBody()
        try await body.write(CollectingWriter(sink: sink))
        return sink.buffer
    }

    /// The JSON object in `body`, if it is one of strings and integers.
    private static func object(in body: ByteBuffer) -> [String: JSONValue]? {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { return nil }
        var object: [String: JSONValue] = [:]
        for (key, value) in parsed {
            if let text = value as? String {
                object[key] = .string(text)
            } else if let number = value as? NSNumber {
                object[key] = .number(number.int64Value)
            } else {
                return nil
            }
        }
        return object
    }

    /// Where ``CollectingWriter`` leaves what it was given.
    private final class CollectedBody {
        var buffer = ByteBuffer()
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let sink: CollectedBody

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            sink.buffer.writeBuffer(&buffer)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
