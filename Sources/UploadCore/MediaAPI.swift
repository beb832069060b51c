import Foundation

/// A configuration problem the user must fix before anything is sent.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where the API is and the key that opens it. The key is held here only: it is sent
/// in a header, never logged, printed or stored.
public struct APIEndpoint: Sendable {
    /// 360dialog's production host.
    public static let defaultBaseURL = "https://waba-v2.360dialog.io"

    /// The base URL without a trailing slash.
    public let baseURL: String
    let apiKey: String
    /// Whether the base URL points at this machine (a sandbox).
    public let isLoopback: Bool

    /// Checks the base URL (https, or http to loopback only) and that a key is given.
    public init(baseURL: String, apiKey: String?) throws(ConfigurationError) {
        var trimmed = baseURL.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(),
              case let host = Self.hostText(trimmed), !host.isEmpty,
              components.query == nil, components.fragment == nil
        else {
            throw ConfigurationError("the base URL \"\(baseURL)\" is not a valid URL (expected e.g. \(Self.defaultBaseURL))")
        }
        let loopback = Self.isLoopbackHost(host)
        switch scheme {
        case "https": break
        case "http" where loopback: break
        case "http":
            throw ConfigurationError("refusing http:// to \(host): the API key would travel unencrypted; use https:// (http is allowed only to 127.0.0.1, localhost or ::1)")
        default:
            throw ConfigurationError("the base URL must start with https:// (got \"\(scheme)://\")")
        }
        guard let apiKey, !apiKey.isEmpty else {
            throw ConfigurationError("no API key: set D360_API_KEY or pass --api-key (or try the sandbox: mediaup sandbox)")
        }
        guard !apiKey.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw ConfigurationError("the API key contains a line break")
        }
        self.baseURL = trimmed
        self.apiKey = apiKey
        self.isLoopback = loopback
    }

    /// An endpoint with no key yet, for a screen that can browse without one: every
    /// call fails at once as unauthorized, without a request.
    public static func withoutKey(baseURL: String) throws(ConfigurationError) -> APIEndpoint {
        let probe = try APIEndpoint(baseURL: baseURL, apiKey: "-")
        return APIEndpoint(checkedBaseURL: probe.baseURL, isLoopback: probe.isLoopback)
    }

    private init(checkedBaseURL: String, isLoopback: Bool) {
        baseURL = checkedBaseURL
        apiKey = ""
        self.isLoopback = isLoopback
    }

    /// Whether a key was given.
    public var hasKey: Bool { !apiKey.isEmpty }

    /// The host as written in a URL that URLComponents accepted. Not `components.host`:
    /// that runs international names through ICU, megabytes of resident memory for a
    /// check that needs none of it.
    static func hostText(_ url: String) -> String {
        guard let start = url.range(of: "://")?.upperBound else { return "" }
        var authority = url[start...].prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") { return String(authority.prefix { $0 != "]" }) + "]" }
        return String(authority.prefix { $0 != ":" })
    }

    /// Whether `host` names this machine: 127.0.0.0/8, localhost or ::1.
    public static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        var address = in_addr()
        // s_addr is in network byte order: the first octet is the lowest byte in memory.
        let loopbackIPv4 = inet_pton(AF_INET, bare, &address) == 1 && withUnsafeBytes(of: &address) { $0.first == 127 }
        return bare == "localhost" || bare == "::1" || loopbackIPv4
    }
}

/// An error the server sent, from either shape: 360dialog's `{"error":"text"}` or
/// Meta's `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
public struct ServerError: Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var code: Int?
    public var subcode: Int?
    public var traceID: String?
    /// Seconds from `Retry-After`, when the server sent one.
    public var retryAfter: Double?

    /// Reads an error reply; a body that is not JSON becomes its first line of text.
    public init(status: Int, body: [UInt8], headers: [String: String]) {
        self.status = status
        retryAfter = headers["retry-after"].flatMap(Self.parseRetryAfter)
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        if let text = object?["error"] as? String {
            message = text
        } else if let detail = object?["error"] as? [String: Any] {
            message = (detail["message"] as? String) ?? "unknown error"
            code = JSONValues.int(detail["code"])
            subcode = JSONValues.int(detail["error_subcode"])
            traceID = detail["fbtrace_id"] as? String
        } else {
            message = Self.summary(ofNonJSON: body, status: status)
        }
    }

    public init(status: Int, message: String, code: Int? = nil, traceID: String? = nil, retryAfter: Double? = nil) {
        self.status = status
        self.message = message
        self.code = code
        self.traceID = traceID
        self.retryAfter = retryAfter
    }

    /// "HTTP 400: text (code 100, fbtrace_id Abc)".
    public var description: String {
        var extras: [String] = []
        if let code { extras.append("code \(code)" + (subcode.map { "/\($0)" } ?? "")) }
        if let traceID { extras.append("fbtrace_id \(traceID)") }
        return "HTTP \(status): \(message)" + (extras.isEmpty ? "" : " (\(extras.joined(separator: ", ")))")
    }

    /// Meta's rate-limit codes.
    public var isRateLimit: Bool {
        status == 429 || [4, 17, 32, 613, 80007, 130429].contains(code ?? -1)
    }

    /// The key is wrong, expired or lacks permission.
    public var isAuthorization: Bool {
        status == 401 || status == 403 || code == 190 || code == 10 || (200...299).contains(code ?? -1)
    }

    /// Meta's transient codes, or a server-side failure.
    public var isTransient: Bool { status >= 500 || code == 1 || code == 2 }

    /// The server no longer knows the upload session.
    public var isSessionGone: Bool {
        let text = message.lowercased()
        return status == 404 || status == 410
            || (status == 400 && (text.contains("expired") || text.contains("not found") || text.contains("unknown session")))
    }

    /// The `file_offset` sent did not match the server's.
    public var isOffsetMismatch: Bool {
        status == 400 && message.lowercased().contains("offset")
    }

    /// Seconds, or an HTTP date, as seconds from now.
    static func parseRetryAfter(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// A short, printable summary of an HTML or text error page.
    static func summary(ofNonJSON body: [UInt8], status: Int) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let title = text.range(of: "<title>", options: .caseInsensitive).flatMap { start in
            text.range(of: "</title>", options: .caseInsensitive, range: start.upperBound..<text.endIndex).map {
                String(text[start.upperBound..<$0.lowerBound])
            }
        }
        let line = (title ?? text).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let printable = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(160).map(Character.init))
        return printable.isEmpty ? "no error text (HTTP \(status))" : printable
    }
}

/// Why an API call failed.
public enum APIFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No response: connection, stall, cancel, file read.
    case transport(TransportError)
    /// The server answered with an error status.
    case server(ServerError)
    /// The server answered 2xx with a body that does not say what it should.
    case unexpectedReply(String)
    /// The server redirected; the key is never sent after a redirect.
    case redirected(status: Int, location: String?)

    public var description: String {
        switch self {
        case .transport(let error): TransportErrorText.describe(error)
        case .server(let error): error.description
        case .unexpectedReply(let detail): "unexpected reply from the server: \(detail)"
        case .redirected(let status, let location):
            "the server redirected (HTTP \(status)) to \(location ?? "nowhere"); not followed, so the API key stays with the host you chose"
        }
    }
}

/// User-facing words for transport errors.
public enum TransportErrorText {
    public static func describe(_ error: TransportError) -> String {
        switch error {
        case .cancelled: "cancelled"
        case .stalled(let seconds): "stalled: no byte moved, or the reply did not end, within \(Int(seconds))s"
        case .connectFailed(let detail): "cannot connect: \(detail)"
        case .connectionLost(let detail): "connection lost: \(detail)"
        case .tls(let detail): "TLS failed: \(detail)"
        case .fileShrank(let path): "\(path) became shorter while it was being sent"
        case .fileUnreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .responseTooLarge(let limit): "the server's reply was larger than \(ByteFormat.string(Int64(limit))); ignored"
        case .invalidURL(let detail): "invalid URL: \(detail)"
        case .other(let detail): detail
        }
    }
}

/// Lenient readers for JSON values that servers send as numbers or as strings.
enum JSONValues {
    /// A JSON number that is not `true`/`false` (on Linux, NSNumber(0) also casts to Bool).
    private static func number(_ value: Any?) -> NSNumber? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return number
    }

    static func int(_ value: Any?) -> Int? {
        if let number = number(value) { return number.intValue }
        if let text = value as? String { return Int(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    static func int64(_ value: Any?) -> Int64? {
        if let number = number(value) { return number.int64Value }
        if let text = value as? String { return Int64(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    /// A short rendering of a reply for an error message.
    static func excerpt(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return data.count > 200 ? text + "…" : text
    }

    static func object(_ body: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// The reply to a chunk of a resumable upload.
public enum ChunkReply: Sendable, Equatable {
    /// The upload is complete.
    case handle(String)
    /// Accepted, not complete: ask the server for its offset and go on.
    case accepted
}

/// The five calls of 360dialog's Media Uploads API, over an `HTTPTransport`.
public struct MediaAPI: Sendable {
    public let endpoint: APIEndpoint
    public let transport: any HTTPTransport
    public var limits: TransferLimits

    public init(endpoint: APIEndpoint, transport: any HTTPTransport, limits: TransferLimits = TransferLimits()) {
        self.endpoint = endpoint
        self.transport = transport
        self.limits = limits
    }

    private var authHeader: (name: String, value: String) { ("D360-API-KEY", endpoint.apiKey) }

    /// `POST /uploads`: a new resumable session; returns its id with the `upload:` prefix.
    public func createSession(fileName: String, length: Int64, mimeType: String, control: TransferControl) async throws(APIFailure) -> String {
        var query = URLComponents()
        query.queryItems = [
            URLQueryItem(name: "file_name", value: fileName),
            URLQueryItem(name: "file_length", value: String(length)),
            URLQueryItem(name: "file_type", value: mimeType),
        ]
        // URLComponents leaves '+' alone, which servers read as a space.
        let encoded = (query.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let request = HTTPRequest(method: .post, url: endpoint.baseURL + "/uploads?" + encoded, headers: [authHeader])
        let object = try await exchange(request, control: control)
        guard let id = object["id"] as? String, !id.isEmpty else {
            throw .unexpectedReply("no session id in the reply to POST /uploads: \(JSONValues.excerpt(object))")
        }
        return id.hasPrefix("upload:") ? id : "upload:" + id
    }

    /// `GET /upload:<id>`: how many bytes the server holds.
    public func serverOffset(sessionID: String, control: TransferControl) async throws(APIFailure) -> Int64 {
        let request = HTTPRequest(method: .get, url: sessionURL(sessionID), headers: [authHeader])
        let object = try await exchange(request, control: control)
        guard let offset = JSONValues.int64(object["file_offset"]), offset >= 0 else {
            throw .unexpectedReply("no file_offset in the reply to GET \(Self.redacted(sessionID)): \(JSONValues.excerpt(object))")
        }
        return offset
    }

    /// `POST /upload:<id>` with `file_offset`: sends `length` bytes of the file from `offset`.
    public func uploadChunk(
        sessionID: String, path: String, offset: Int64, length: Int64,
        control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(APIFailure) -> ChunkReply {
        let request = HTTPRequest(
            method: .post, url: sessionURL(sessionID),
            headers: [authHeader, ("file_offset", String(offset)), ("Content-Type", "application/octet-stream")],
            body: length > 0 ? [.file(path: path, offset: offset, length: length)] : []
        )
        let object = try await exchange(request, control: control, progress: progress)
        if let handle = object["h"] as? String, !handle.isEmpty { return .handle(handle) }
        return .accepted
    }

    /// `POST /media` (multipart): the whole file in one request; returns the media id.
    public func uploadMedia(
        path: String, fileName: String, mimeType: String, length: Int64,
        control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(APIFailure) -> String {
        let form = MultipartForm(fileName: fileName, mimeType: mimeType)
        let request = HTTPRequest(
            method: .post, url: endpoint.baseURL + "/media",
            headers: [authHeader, ("Content-Type", form.contentType)],
            body: form.body(path: path, length: length)
        )
        let object = try await exchange(request, control: control, progress: progress)
        guard let id = JSONValues.int64(object["id"]).map(String.init) ?? (object["id"] as? String), !id.isEmpty else {
            throw .unexpectedReply("no media id in the reply to POST /media: \(JSONValues.excerpt(object))")
        }
        return id
    }

    /// The session's URL: the id goes in exactly as the server gave it.
    func sessionURL(_ sessionID: String) -> String {
        endpoint.baseURL + "/" + (sessionID.hasPrefix("upload:") ? sessionID : "upload:" + sessionID)
    }

    /// A session id without its signature, for messages and logs.
    public static func redacted(_ sessionID: String) -> String {
        sessionID.split(separator: "?", maxSplits: 1).first.map(String.init) ?? sessionID
    }

    private func exchange(
        _ request: HTTPRequest, control: TransferControl, progress: @escaping @Sendable (Int64) -> Void = { _ in }
    ) async throws(APIFailure) -> [String: Any] {
        guard endpoint.hasKey else {
            throw .server(ServerError(status: 401, message: "no API key: set D360_API_KEY or pass --api-key"))
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(request, limits: limits, control: control, progress: progress)
        } catch {
            throw .transport(error)
        }
        switch response.status {
        case 200..<300:
            guard let object = JSONValues.object(response.body) else {
                let summary = ServerError.summary(ofNonJSON: response.body, status: response.status)
                throw .unexpectedReply("HTTP \(response.status) with a body that is not a JSON object (\(summary))")
            }
            return object
        case 300..<400:
            throw .redirected(status: response.status, location: response.headers["location"])
        default:
            throw .server(ServerError(status: response.status, body: response.body, headers: response.headers))
        }
    }
}

/// A `multipart/form-data` body for `POST /media`: the fields, then the file streamed
/// from disk between a literal prefix and suffix.
struct MultipartForm {
    let boundary = "mediaup-" + UploadSession.newID() + UploadSession.newID()
    let fileName: String
    let mimeType: String

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func body(path: String, length: Int64) -> [BodyPart] {
        let safeName = fileName.replacingOccurrences(of: "\"", with: "%22")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        let prefix = """
        --\(boundary)\r
        Content-Disposition: form-data; name="messaging_product"\r
        \r
        whatsapp\r
        --\(boundary)\r
        Content-Disposition: form-data; name="type"\r
        \r
        \(mimeType)\r
        --\(boundary)\r
        Content-Disposition: form-data; name="file"; filename="\(safeName)"\r
        Content-Type: \(mimeType)\r
        \r

        """
        let suffix = "\r\n--\(boundary)--\r\n"
        return [.bytes(Array(prefix.utf8)), .file(path: path, offset: 0, length: length), .bytes(Array(suffix.utf8))]
    }
}
