/// How a ``SandboxServer`` listens, what it accepts and which faults it injects.
public struct SandboxConfiguration: Sendable {
    /// Address to bind.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (read it back from ``SandboxServer/port``).
    public var port: Int = 8360
    /// The `D360-API-KEY` value every request must carry.
    public var apiKey: String
    /// Directory the received bytes are written to (created if missing). The sandbox also
    /// keeps its state there (signing secret, sessions, media uploads as small JSON files),
    /// so a sandbox started again on the same directory knows the sessions it issued.
    public var storageDirectory: String
    /// Per-request body read rate limit in bytes per second (nil = unlimited).
    public var bytesPerSecond: Int?
    /// Whether session bytes are written to disk. Off, they are counted (offsets, resets
    /// and stalls work as ever) but dropped: a benchmark's sandbox then costs one copy
    /// per byte instead of two, and no digest is kept. Such sessions do not survive a restart.
    public var keepsBytes = true
    /// Probability that an upload request (`POST /upload:…`, `POST /media`) is answered 503
    /// before its body is read.
    public var failRate: Double = 0
    /// Cut the TCP connection (RST, no HTTP response) when a session's received bytes
    /// first reach each of these offsets; each fires once per session.
    public var resetAtOffsets: [Int64] = []
    /// Stop reading the body for ``stallSeconds`` when a session's received bytes first
    /// reach each of these offsets; each fires once per session.
    public var stallAtOffsets: [Int64] = []
    /// How long a stall lasts.
    public var stallSeconds: Double = 0
    /// At most this many stalls fire over the sandbox's life, across all sessions (nil = no cap).
    public var stallLimit: Int? = nil
    /// Cut the connection at this many offsets per session, drawn at random (from
    /// ``faultSeed``) in `1..<file_length` when the session is created; each fires once.
    public var randomResetsPerSession: Int = 0
    /// Seeds the random draws of ``failRate`` and ``randomResetsPerSession`` so a run's
    /// faults repeat (nil = a fresh seed each start).
    public var faultSeed: UInt64? = nil
    /// Wait this long before reading the body of each `POST /upload:…` (a slow server).
    public var uploadStartDelaySeconds: Double = 0
    /// The first N `POST /uploads` are answered 429 with `Retry-After`.
    public var rateLimitedCreates: Int = 0
    /// The `Retry-After` value sent with those 429s.
    public var retryAfterSeconds: Int = 1
    /// Seconds after creation at which a session counts as expired (nil = never).
    public var sessionLifetime: Double? = nil
    /// Odd replies to inject, each into the first ``SandboxOddity/count`` requests it
    /// applies to; later requests are answered normally, so a client can recover. Only
    /// tests set them: a middleware in front of the handlers gives them, installed when
    /// this is not empty.
    public var oddities: [SandboxOddity] = []

    /// A configuration with the given key and storage directory and no faults.
    public init(apiKey: String, storageDirectory: String) {
        self.apiKey = apiKey
        self.storageDirectory = storageDirectory
    }
}

/// A reply a real server (or a proxy in front of it) might give instead of the
/// documented one. The sandbox does the request's work as usual unless the kind says
/// otherwise, then answers oddly.
public struct SandboxOddity: Sendable {
    /// The requests an oddity can apply to.
    public enum Endpoint: Sendable, Equatable {
        /// `POST /uploads`.
        case create
        /// `GET /upload:…`.
        case status
        /// `POST /upload:…`.
        case upload
        /// `POST /media`.
        case media
    }

    /// What the odd reply is.
    public enum Kind: Sendable, Equatable {
        /// 200 with a body that is not valid JSON (`{"id": "upl`); the work was done.
        case garbageJSON
        /// 200 with an empty body; the work was done.
        case emptyBody
        /// This status with an HTML page (as a proxy sends), before any work is done.
        case htmlErrorPage(status: Int)
        /// 200 without `id` (create, media); the work was done.
        case missingID
        /// 200 without `h` on a reply that would carry it; the bytes were stored.
        /// Counts only replies that would carry `h`.
        case missingHandle
        /// 200 whose body is this many bytes of JSON padding; the work was done.
        case hugeBody(bytes: Int)
        /// 200 with headers and a body that trickles a byte every 200 ms until the client
        /// goes (at most ten minutes); the work was done.
        case neverEndingReply
        /// 307 to `location` followed by the request's path and query, before any work is
        /// done (never read the body of an upload).
        case redirect(location: String)
        /// `file_offset` as a JSON string (`"123"`, as in Meta's guide). Counts only
        /// replies that carry `file_offset`.
        case offsetAsString
        /// `GET` reports this many bytes more than the session holds.
        case offsetAhead(by: Int64)
        /// `GET` first drops this many bytes from the end of what the session holds
        /// (as a server that lost them), then reports the smaller offset.
        case offsetBehind(by: Int64)
        /// The session expires once it holds this many bytes: the rest of the body is
        /// read and dropped, and the request, like every later one, is answered
        /// "upload session not found or expired". Applies to `POST /upload:…`.
        case expireAfterBytes(Int64)
    }

    /// What the reply is.
    public var kind: Kind
    /// Which requests it applies to.
    public var endpoint: Endpoint
    /// How many matching requests get it (`Int.max`: all).
    public var count: Int

    /// An oddity for the first `count` requests to `endpoint`.
    public init(_ kind: Kind, on endpoint: Endpoint, count: Int = 1) {
        self.kind = kind
        self.endpoint = endpoint
        self.count = count
    }
}

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

/// A file received through `POST /media`.
public struct SandboxMedia: Sendable, Hashable {
    /// The numeric media id returned to the client.
    public var id: String
    /// The file part's filename.
    public var fileName: String
    /// The `type` field if sent, else the file part's content type.
    public var type: String
    /// Bytes stored.
    public var length: Int64
    /// Lower-case hex SHA-256 of the stored bytes.
    public var sha256: String
    /// The `messaging_product` field (always `whatsapp` for an accepted upload).
    public var messagingProduct: String
    /// Where the bytes are stored.
    public var path: String
}

/// A `POST /upload:…` refused because its `file_offset` was not what the session held.
public struct SandboxOffsetRefusal: Sendable, Hashable {
    /// The `file_offset` the client sent.
    public var sent: Int64
    /// The bytes the session held at that moment.
    public var held: Int64
}

/// One request as the sandbox answered it. Never holds the API key or the signature.
public struct SandboxRequestRecord: Sendable, Hashable {
    /// The HTTP method.
    public var method: String
    /// The path without its query string.
    public var path: String
    /// The `file_offset` header as sent, if any.
    public var fileOffset: String?
    /// The status answered, or nil when the sandbox cut the connection instead of answering.
    public var status: Int?
}
