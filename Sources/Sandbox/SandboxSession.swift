/// A resumable upload session as the sandbox sees it (for tests and inspection).
public struct SandboxSession: Sendable, Hashable {
    /// The id as handed to the client: `upload:<token>?sig=<sig>`.
    public var id: String
    /// `file_name` given at creation.
    public var fileName: String
    /// `file_type` given at creation.
    public var fileType: String
    /// `file_length` given at creation.
    public var declaredLength: Int64
    /// Bytes stored so far (what `GET` reports as `file_offset`).
    public var receivedBytes: Int64
    /// The handle, once every byte has been received.
    public var handle: String?
    /// Lower-case hex SHA-256 of the stored file, once complete.
    public var sha256: String?
    /// Where the received bytes are stored.
    public var path: String
    /// Body bytes read over all requests, including any that were re-sent or rejected.
    public var totalBodyBytesReceived: Int64
    /// How many `POST /upload:…` requests reached this session.
    public var uploadRequests: Int
    /// Whether the session counts as expired now.
    public var isExpired: Bool
}
