import Foundation

/// The end of one file's upload as `--json` prints it: one object per line, with the
/// keys in a fixed order and absent values as null. Scripts depend on this shape.
public struct UploadReport: Sendable, Equatable {
    public var file: String
    public var succeeded: Bool
    public var route: UploadRoute
    public var sessionID: String?
    public var handle: String?
    public var mediaID: String?
    public var bytes: Int64?
    public var sha256: String?
    public var attempts: Int
    public var error: String?

    /// The report of a session that has settled.
    public init(file: String, snapshot: UploadSnapshot) {
        let session = snapshot.session
        self.file = file
        succeeded = session.state == .done
        route = session.route
        sessionID = session.id
        handle = session.handle
        mediaID = session.mediaId
        bytes = session.fileSize
        sha256 = session.sha256
        attempts = session.attempts
        error = succeeded ? nil : Self.failureText(session)
    }

    /// The report of a file refused before any session existed.
    public init(file: String, route: UploadRoute, bytes: Int64?, error: String) {
        self.file = file
        succeeded = false
        self.route = route
        self.bytes = bytes
        attempts = 0
        self.error = error
    }

    private static func failureText(_ session: UploadSession) -> String {
        switch session.state {
        case .paused: "interrupted at \(session.serverOffset) of \(session.fileSize) bytes; continue with: mediaup resume \(session.id)"
        case .expired: "expired: " + (session.lastError ?? "the server no longer knows the session")
        case .fileChanged: "file changed: " + (session.lastError ?? "the file changed on disk")
        default: session.lastError ?? session.state.rawValue
        }
    }

    /// The report as one line of JSON (no newline).
    public var jsonLine: String {
        let fields: [(String, String)] = [
            ("file", Self.quote(file)),
            ("state", Self.quote(succeeded ? "done" : "failed")),
            ("via", Self.quote(route.rawValue)),
            ("session_id", sessionID.map(Self.quote) ?? "null"),
            ("handle", handle.map(Self.quote) ?? "null"),
            ("media_id", mediaID.map(Self.quote) ?? "null"),
            ("bytes", bytes.map(String.init) ?? "null"),
            ("sha256", sha256.map(Self.quote) ?? "null"),
            ("attempts", String(attempts)),
            ("error", error.map(Self.quote) ?? "null"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal.
    public static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
