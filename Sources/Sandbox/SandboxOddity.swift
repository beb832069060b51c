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
