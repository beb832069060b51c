/// How failures are retried: exponential backoff with jitter, `Retry-After` honoured.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt before a row fails. Progress between two
    /// failures starts the count again, so a long upload on a flaky line keeps going.
    public var maxRetries: Int
    /// The first backoff, in seconds.
    public var baseDelay: Double
    /// The longest backoff, in seconds (a server's `Retry-After` may ask for more).
    public var maxDelay: Double

    public init(maxRetries: Int = 5, baseDelay: Double = 1, maxDelay: Double = 30) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The longest wait a server's `Retry-After` gets, in seconds: a server asking for an
    /// hour would otherwise leave a row idle that long, with no sign it will ever move.
    public static let longestRetryAfter: Double = 300

    /// Seconds to wait before retry number `retry` (1-based): the server's
    /// `Retry-After` when given (at most ``longestRetryAfter``), else `baseDelay · 2^(retry-1)`
    /// capped at `maxDelay`, drawn between half and all of it so that many clients
    /// do not come back in step.
    public func delay(beforeRetry retry: Int, retryAfter: Double? = nil, random: Double = Double.random(in: 0...1)) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), Self.longestRetryAfter) }
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * Double(1 << exponent))
        return ceiling / 2 + ceiling / 2 * random
    }
}

/// What the engine does about a failure (docs/api.md, "Reactions").
public enum FailureReaction: Sendable, Equatable {
    /// Back off, then (for a session) ask the server's offset and go on.
    case retry(retryAfter: Double?)
    /// The transfer stalled: say so, then retry like any transient failure.
    case stalled
    /// Ask the server's offset and continue from it at once.
    case resync
    /// The key is refused: stop this row and every other until the key is fixed.
    case unauthorized
    /// No request of this run can get through (a wrong base URL, a certificate not
    /// trusted, a request that cannot be built): stop this row and every other, as for
    /// a refused key.
    case halt
    /// The server no longer knows the session: it can only start again from byte 0.
    case expired
    /// The file changed on disk: nothing more is sent.
    case fileChanged
    /// The user paused or cancelled.
    case stopped
    /// Not worth retrying: the row fails with this message.
    case fail
}

extension APIFailure {
    /// The engine's reaction to this failure.
    public var reaction: FailureReaction {
        switch self {
        case .transport(let error):
            switch error {
            case .cancelled: return .stopped
            case .stalled: return .stalled
            case .fileShrank, .fileChanged: return .fileChanged
            case .fileUnreadable, .writeFailed: return .fail
            case .invalidURL, .certificate, .invalidRequest: return .halt
            case .connectFailed, .connectionLost, .tls, .responseTooLarge, .other: return .retry(retryAfter: nil)
            }
        case .server(let error):
            if error.isAuthorization { return .unauthorized }
            if error.isRateLimit { return .retry(retryAfter: error.retryAfter) }
            if error.isTransient { return .retry(retryAfter: error.retryAfter) }
            if error.isSessionGone { return .expired }
            if error.isOffsetMismatch { return .resync }
            return .fail
        case .unexpectedReply:
            return .retry(retryAfter: nil)
        case .redirected:
            return .fail
        case .wrongURL:
            return .halt
        case .refused, .noSuchMedia, .mismatch:
            return .fail
        }
    }
}
