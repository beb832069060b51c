import Synchronization

/// An HTTP method the media API uses.
public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
}

/// One piece of a request body: literal bytes, or a slice of a file read as it is sent.
public enum BodyPart: Sendable, Equatable {
    case bytes([UInt8])
    /// `length` bytes of the file at `path`, starting at `offset`. The transport reads
    /// them as it sends (never the whole file at once) and fails with
    /// `TransportError.fileShrank` if the file ends early.
    case file(path: String, offset: Int64, length: Int64)

    /// How many bytes this part contributes to the body.
    public var length: Int64 {
        switch self {
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, _, let length): length
        }
    }
}

/// A request to send. The URL is used exactly as given: session ids carry their own
/// query string (`upload:…?sig=…`) that must not be re-encoded.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    /// Header fields in order; names as they should go on the wire.
    public var headers: [(name: String, value: String)]
    /// The body, sent in order with an exact `Content-Length`. Empty for none.
    public var body: [BodyPart]

    public init(method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [], body: [BodyPart] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Total body length in bytes.
    public var bodyLength: Int64 { body.reduce(0) { $0 + $1.length } }
}

/// A complete response. Header names are lower-cased; the body is capped by
/// `TransferLimits.maxResponseBytes`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Time and size limits for one transfer.
public struct TransferLimits: Sendable {
    /// Seconds allowed to establish the connection (TCP and TLS).
    public var connectTimeout: Double
    /// Seconds without a single byte moving in either direction before the transfer
    /// is aborted as stalled; also the longest a reply may take from its status line
    /// to its last byte (a reply that trickles on forever counts as stalled).
    public var stallTimeout: Double
    /// Largest response body accepted; a larger one fails with `.responseTooLarge`.
    public var maxResponseBytes: Int

    public init(connectTimeout: Double = 15, stallTimeout: Double = 30, maxResponseBytes: Int = 1 << 20) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// Lets one side cancel a transfer that another thread runs. Thread-safe.
public final class TransferControl: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Asks the transfer to stop as soon as it can; it then fails with `.cancelled`.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Whether `cancel()` has been called.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// Why a transfer did not produce a response.
public enum TransportError: Error, Sendable, Equatable {
    /// `TransferControl.cancel()` was called.
    case cancelled
    /// No byte moved for the stall timeout (seconds).
    case stalled(seconds: Double)
    /// The connection could not be made (refused, DNS, connect timeout).
    case connectFailed(String)
    /// The connection broke or timed out during the exchange.
    case connectionLost(String)
    /// TLS failed: certificate not trusted, handshake error.
    case tls(String)
    /// The file ended before the promised length: it shrank while being sent.
    case fileShrank(path: String)
    /// The file could not be opened or read.
    case fileUnreadable(path: String, reason: String)
    /// The response body was larger than `TransferLimits.maxResponseBytes`.
    case responseTooLarge(limit: Int)
    /// The URL is malformed or uses a scheme the transport refuses.
    case invalidURL(String)
    /// Anything else libcurl reported.
    case other(String)

    /// Whether retrying the same request later could succeed.
    public var isTransient: Bool {
        switch self {
        case .stalled, .connectFailed, .connectionLost, .tls, .other, .responseTooLarge: true
        case .cancelled, .fileShrank, .fileUnreadable, .invalidURL: false
        }
    }
}

/// Sends HTTP requests. The libcurl implementation lives in the Transport module;
/// tests may stand in their own.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the server's response, whatever its status.
    /// - Parameters:
    ///   - limits: timeouts and the response size cap for this transfer.
    ///   - control: cancels the transfer from another task or thread.
    ///   - progress: called with the number of body bytes sent so far by this request,
    ///     at most a few times a second, on an arbitrary thread.
    /// - Throws: `TransportError` when no complete response arrived.
    func send(
        _ request: HTTPRequest,
        limits: TransferLimits,
        control: TransferControl,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws(TransportError) -> HTTPResponse
}
