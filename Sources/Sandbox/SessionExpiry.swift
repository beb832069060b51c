import Logging
import Synchronization

/// An ``SandboxOddity/Kind/expireAfterBytes(_:)`` armed for one `POST /upload:…`:
/// expires the session once it holds `bytes`, and remembers that it did.
final class SessionExpiry: Sendable {
    private let token: String
    private let bytes: Int64
    private let state: SandboxState
    private let logger: Logger
    private let expired = Mutex(false)

    init(token: String, bytes: Int64, state: SandboxState, logger: Logger) {
        self.token = token
        self.bytes = bytes
        self.state = state
        self.logger = logger
    }

    /// Whether the session was expired during this request.
    var fired: Bool { expired.withLock { $0 } }

    /// Expires the session if it holds `bytes` by now; returns whether it is expired.
    func expireIfDue() async -> Bool {
        if fired { return true }
        guard await state.received(token: token) >= bytes else { return false }
        logger.info("oddity: session expires mid-upload", metadata: ["offset": "\(bytes)"])
        await state.expire(token: token)
        expired.withLock { $0 = true }
        return true
    }
}
