import UploadCore

/// How a ``SandboxServer`` listens, what it accepts and which faults it injects.
public struct SandboxConfiguration: Sendable {
    /// Address to bind.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (read it back from ``SandboxServer/port``).
    public var port: Int = 8360
    /// The `D360-API-KEY` value every request must carry; as Meta, the token its
    /// `Authorization` header carries.
    public var apiKey: String
    /// Whose API it speaks: 360dialog's paths and header, or Meta's Graph API (paths
    /// under a version segment, `Authorization: OAuth` for upload sessions and `Bearer`
    /// for the rest, errors always as Meta's error object).
    public var provider: APIProvider = .dialog360
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
    /// Seconds after its upload at which a `POST /media` id counts as expired, as Meta's
    /// do 30 days after the upload (nil = never). Follows ``sessionLifetime``.
    public var mediaLifetime: Double? = 30 * 86_400
    /// Seconds for which a download URL from `GET /<media id>` stays valid (Meta: 5 minutes).
    public var mediaURLLifetime: Double = 300
    /// Per-download send rate in bytes per second (nil = unlimited), so that a download
    /// can be cut or cancelled mid-flight.
    public var downloadBytesPerSecond: Int? = nil
    /// A fault: media info answers a `sha256` that is not the stored bytes' digest.
    public var misreportsMediaSHA256 = false
    /// A fault: media info answers a `file_size` one byte larger than what is stored.
    public var misreportsMediaSize = false
    /// After this many error answers to `GET /<media id>`, every later one is answered 429
    /// `{"error":"…blocked…"}`, as 360dialog blocks media lookups for 30 minutes after 20
    /// errors in an hour (nil = never).
    public var mediaLookupBlockAfterErrors: Int? = nil
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
