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
    /// The TLS handshake broke without a verdict on the certificate (a reset, a protocol
    /// mismatch): it may pass on a later try.
    case tls(String)
    /// The server's certificate is not trusted, or the local TLS setup (CA file, client
    /// certificate, cipher) is unusable: no retry can get past it.
    case certificate(String)
    /// The request could not be built (a header with a line break or NUL): sending it
    /// again cannot help.
    case invalidRequest(String)
    /// The file ended before the promised length: it shrank while being sent.
    case fileShrank(path: String)
    /// The file changed while it was being sent (appended to, rewritten, deleted or
    /// replaced); `change` says how. The transfer stopped there.
    case fileChanged(path: String, change: String)
    /// The file could not be opened or read.
    case fileUnreadable(path: String, reason: String)
    /// The response body was larger than `TransferLimits.maxResponseBytes`.
    case responseTooLarge(limit: Int)
    /// A response body could not be written to its `ResponseSink` (`path` names it): a
    /// full disk, a closed pipe. The transfer stopped there.
    case writeFailed(path: String, reason: String)
    /// The URL is malformed or uses a scheme the transport refuses.
    case invalidURL(String)
    /// Anything else libcurl reported.
    case other(String)
}
