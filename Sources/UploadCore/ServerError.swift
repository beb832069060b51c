import Foundation

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

    /// The server no longer knows the upload session, or no longer accepts its id (an
    /// `invalid signature`, as after the server's signing secret changed).
    public var isSessionGone: Bool {
        let text = message.lowercased()
        return status == 404 || status == 410
            || (status == 400
                && (text.contains("expired") || text.contains("not found") || text.contains("unknown session")
                    || text.contains("invalid signature")))
    }

    /// Meta's "object does not exist" (code 100, subcode 33): for a media id, one that is
    /// unknown, expired or deleted.
    public var isNoSuchObject: Bool { code == 100 && subcode == 33 }

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
