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
    /// What WhatsApp delivers with a caveat (the media inspection's warnings).
    public var warnings: [String]
    /// Nothing was sent: an earlier upload gave this handle or media id (the same file
    /// within the day, or the same bytes by `/media`); `sessionID` is that upload's.
    public var reused: Bool
    /// When the media id expires (30 days after it was issued); nil for a handle.
    public var expiresAt: Date?

    /// The report of a session that has settled.
    public init(file: String, snapshot: UploadSnapshot, warnings: [String] = []) {
        let session = snapshot.session
        self.file = file
        succeeded = session.state == .done
        route = session.route
        sessionID = session.id
        handle = session.handle
        mediaID = session.mediaID
        bytes = session.fileSize
        sha256 = session.sha256
        attempts = session.attempts
        self.warnings = warnings
        reused = false
        expiresAt = succeeded ? session.expiresAt : nil
        error = succeeded ? nil : snapshot.activeElsewhere ? Self.elsewhereText : Self.failureText(session)
    }

    /// The report of a file refused before any session existed.
    public init(file: String, route: UploadRoute, bytes: Int64?, error: String) {
        self.file = file
        succeeded = false
        self.route = route
        self.bytes = bytes
        attempts = 0
        warnings = []
        reused = false
        self.error = error
    }

    private static let elsewhereText = "another mediaup process is uploading it; this run left it to that process"

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
        JSONLine.object([
            "file": .string(file),
            "state": .string(succeeded ? "done" : "failed"),
            "via": .string(route.rawValue),
            "session_id": .string(sessionID),
            "handle": .string(handle),
            "media_id": .string(mediaID),
            "bytes": .number(bytes),
            "sha256": .string(sha256),
            "attempts": .number(Int64(attempts)),
            "error": .string(error),
            "warnings": .strings(warnings),
            "reused": .bool(reused),
            "expires_at": .string(expiresAt.map { UTCText.string($0, separator: "T", suffix: "Z") }),
        ])
    }
}
