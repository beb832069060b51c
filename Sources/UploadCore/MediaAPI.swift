import Foundation
import Logging

/// The five calls of 360dialog's Media Uploads API, over an `HTTPTransport`; media info,
/// download and delete are in `MediaAPI+Media.swift`.
public struct MediaAPI: Sendable {
    public let endpoint: APIEndpoint
    public let transport: any HTTPTransport
    public var limits: TransferLimits
    /// Where each request is logged at debug level: method, path without its query (so
    /// without a session's signature), status, bytes and duration; never a header.
    public var logger: Logger
    /// Counts `GET /<media id>` errors and stops lookups before 360dialog blocks them
    /// (see `MediaLookupBudget`): the process's one budget unless a test gives its own.
    public var lookupBudget: MediaLookupBudget = .shared

    public init(
        endpoint: APIEndpoint, transport: any HTTPTransport, limits: TransferLimits = TransferLimits(),
        logger: Logger = Logger(label: "mediaup.api")
    ) {
        self.endpoint = endpoint
        self.transport = transport
        self.limits = limits
        self.logger = logger
    }

    /// The auth header of a call: 360dialog's key, or Meta's token in the scheme Meta's
    /// guides give the call (`OAuth` for upload sessions, `Bearer` for the rest).
    func authHeader(forSession: Bool = false) -> (name: String, value: String) {
        guard endpoint.graph != nil else { return ("D360-API-KEY", endpoint.apiKey) }
        return ("Authorization", (forSession ? "OAuth " : "Bearer ") + endpoint.apiKey)
    }

    /// Where calls go: the base URL, and for Meta its version segment.
    var root: String { endpoint.graph.map { endpoint.baseURL + "/" + $0.version } ?? endpoint.baseURL }

    /// The id a Meta path needs, or why the call cannot be made without it.
    private func graphID(
        _ id: String?, _ name: String, flag: String, variable: String, key: String, for call: String
    ) throws(APIFailure) -> String {
        guard let id else {
            throw .refused("\(call) on Meta's Graph API needs the \(name): pass \(flag), set \(variable), or put \(key) in the config file")
        }
        return id
    }

    /// `POST /uploads`, or Meta's `POST /{version}/{app-id}/uploads`.
    func createSessionURL() throws(APIFailure) -> String {
        guard let graph = endpoint.graph else { return root + "/uploads" }
        return root + "/"
            + (try graphID(graph.appID, "app id", flag: "--app-id", variable: "MEDIAUP_APP_ID", key: "app_id", for: "a resumable upload"))
            + "/uploads"
    }

    /// `POST /media`, or Meta's `POST /{version}/{phone-number-id}/media`.
    func mediaUploadURL() throws(APIFailure) -> String {
        guard let graph = endpoint.graph else { return root + "/media" }
        return root + "/"
            + (try graphID(
                graph.phoneNumberID, "phone number id", flag: "--phone-number-id", variable: "MEDIAUP_PHONE_NUMBER_ID", key: "phone_number_id",
                for: "a /media upload")) + "/media"
    }

    /// `/<media id>`, with Meta's `phone_number_id` when one is known: Meta then checks
    /// the media belongs to that number.
    func mediaItemURL(_ id: String) -> String {
        guard let phone = endpoint.graph?.phoneNumberID else { return root + "/" + id }
        return root + "/" + id + "?phone_number_id=" + phone
    }

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
        let request = HTTPRequest(method: .post, url: try createSessionURL() + "?" + encoded, headers: [authHeader(forSession: true)])
        let object: [String: Any]
        do { object = try await exchange(request, control: control) } catch { throw error.notFoundAsWrongURL("POST /uploads") }
        guard let id = object["id"] as? String, !id.isEmpty else {
            throw .unexpectedReply("no session id in the reply to POST /uploads: \(JSONValues.excerpt(object))")
        }
        return id.hasPrefix("upload:") ? id : "upload:" + id
    }

    /// `GET /upload:<id>`: how many bytes the server holds.
    public func serverOffset(sessionID: String, control: TransferControl) async throws(APIFailure) -> Int64 {
        let request = HTTPRequest(method: .get, url: sessionURL(sessionID), headers: [authHeader(forSession: true)])
        let object = try await exchange(request, control: control)
        guard let offset = JSONValues.int64(object["file_offset"]), offset >= 0 else {
            throw .unexpectedReply("no file_offset in the reply to GET \(Self.redacted(sessionID)): \(JSONValues.excerpt(object))")
        }
        return offset
    }

    /// `POST /upload:<id>` with `file_offset`: sends `length` bytes of the file from `offset`.
    /// The transport refuses a file that is not `version`, and feeds `digest` what it
    /// sends (see `BodyPart.file`).
    public func uploadChunk(
        sessionID: String, path: String, offset: Int64, length: Int64, version: FileIdentity? = nil, digest: SentBytesDigest? = nil,
        control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(APIFailure) -> ChunkReply {
        // The empty POST at the end carries a part of length 0 when there is a digest: the
        // transport still opens the file and catches the digest up to the end.
        let part = BodyPart.file(path: path, offset: offset, length: length, version: version, digest: digest)
        let request = HTTPRequest(
            method: .post, url: sessionURL(sessionID),
            headers: [authHeader(forSession: true), ("file_offset", String(offset)), ("Content-Type", "application/octet-stream")],
            body: length > 0 || digest != nil ? [part] : []
        )
        let object = try await exchange(request, control: control, progress: progress)
        if let handle = object["h"] as? String, !handle.isEmpty { return .handle(handle) }
        return .accepted
    }

    /// `POST /media` (multipart): the whole file in one request; returns the media id.
    /// `version` and `digest` as for `uploadChunk`.
    public func uploadMedia(
        path: String, fileName: String, mimeType: String, length: Int64, version: FileIdentity? = nil, digest: SentBytesDigest? = nil,
        control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(APIFailure) -> String {
        let form = MultipartForm(fileName: fileName, mimeType: mimeType)
        let parts = form.body(path: path, length: length, version: version, digest: digest)
        let request = HTTPRequest(
            method: .post, url: try mediaUploadURL(),
            headers: [authHeader(), ("Content-Type", form.contentType)],
            body: parts
        )
        // The transport counts the form's bytes; progress is the file's, after the fields.
        let fields = parts.first?.length ?? 0
        let fileProgress: @Sendable (Int64) -> Void = { sent in progress(min(max(sent - fields, 0), length)) }
        let object: [String: Any]
        let body: [UInt8]
        do { (object, body) = try await exchangeReply(request, control: control, progress: fileProgress) } catch {
            throw error.notFoundAsWrongURL("POST /media")
        }
        // Ids are opaque: a string as it is ("0123" stays so), a number as its digits.
        let id = object["id"] is String ? object["id"] as? String : JSONValues.numberText(forKey: "id", in: body)
        guard let id, !id.isEmpty else {
            throw .unexpectedReply("no media id in the reply to POST /media: \(JSONValues.excerpt(object))")
        }
        return id
    }

    /// The session's URL: the id goes in exactly as the server gave it.
    func sessionURL(_ sessionID: String) -> String {
        root + "/" + (sessionID.hasPrefix("upload:") ? sessionID : "upload:" + sessionID)
    }

    /// A session id without its signature, for messages and logs.
    public static func redacted(_ sessionID: String) -> String {
        sessionID.split(separator: "?", maxSplits: 1).first.map(String.init) ?? sessionID
    }

    /// The request's path for the log: without the base URL and without any query.
    static func loggedPath(_ url: String, baseURL: String) -> String {
        let path = url.hasPrefix(baseURL) ? String(url.dropFirst(baseURL.count)) : url
        return path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
    }

    static func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func exchange(
        _ request: HTTPRequest, control: TransferControl, progress: @escaping @Sendable (Int64) -> Void = { _ in }
    ) async throws(APIFailure) -> [String: Any] {
        try await exchangeReply(request, control: control, progress: progress).object
    }

    /// Sends `request`; returns the JSON object of a 2xx reply with the body it was read from.
    func exchangeReply(
        _ request: HTTPRequest, control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(APIFailure) -> (object: [String: Any], body: [UInt8]) {
        guard endpoint.hasKey else {
            throw .server(
                ServerError(
                    status: 401,
                    message: endpoint.graph == nil
                        ? "no API key: set D360_API_KEY or pass --api-key" : "no access token: set WHATSAPP_TOKEN or pass --token"))
        }
        let response: HTTPResponse
        let started = ContinuousClock.now
        let path = Self.loggedPath(request.url, baseURL: endpoint.baseURL)
        let sent = request.body.reduce(0) { $0 + $1.length }
        do {
            response = try await transport.send(request, limits: limits, control: control, progress: progress)
        } catch {
            logger.debug("\(request.method.rawValue) \(path) failed after \(Self.seconds(since: started)) s: \(TransportErrorText.describe(error))")
            throw .transport(error)
        }
        logger.debug(
            "\(request.method.rawValue) \(path) \(response.status) \(sent) bytes sent, \(response.body.count) received, \(Self.seconds(since: started)) s"
        )
        switch response.status {
        case 200..<300:
            guard let object = JSONValues.object(response.body) else {
                let summary = ServerError.summary(ofNonJSON: response.body, status: response.status)
                throw .unexpectedReply("HTTP \(response.status) with a body that is not a JSON object (\(summary))")
            }
            return (object, response.body)
        case 300..<400:
            throw .redirected(status: response.status, location: response.headers["location"])
        default:
            throw .server(ServerError(status: response.status, body: response.body, headers: response.headers))
        }
    }
}
