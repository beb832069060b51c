/// One upload session as stored in `session-<token>.json`.
struct StoredSession: Codable, Sendable {
    static let currentVersion = 1

    var version: Int
    var token: String
    var fileName: String
    var fileType: String
    var declaredLength: Int64
    /// Wall-clock creation time, seconds since 1970 (``SandboxConfiguration/sessionLifetime`` counts from it).
    var createdAt: Double
    /// Creation order among the directory's sessions.
    var sequence: Int
    /// The data file's name inside the storage directory.
    var dataFile: String
    var handle: String
    /// Whether every byte had arrived when this was written (informational: the data file's size decides).
    var complete: Bool
    var sha256: String?
    /// Expired by ``SandboxServer/expireAllSessions()``.
    var expired: Bool
}
