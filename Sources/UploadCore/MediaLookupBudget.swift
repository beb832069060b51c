import Foundation
import Synchronization

/// How many `GET /<media id>` errors this process may still risk.
///
/// 360dialog blocks media lookups for 30 minutes after 20 errors within 60 minutes. The
/// server counts every error, not only consecutive ones, so this does too: each error
/// answer (any status but 2xx) of the last hour counts, and from `limit` of them on (10,
/// well below 20) lookups are refused before any request, saying why. The count lives in
/// the process only: nothing is stored, so a new process starts at 0 (a script that runs
/// many processes in an hour can still reach the block; each one stops at its limit).
public final class MediaLookupBudget: Sendable {
    /// The one budget of the process, used unless a `MediaAPI` is given another.
    public static let shared = MediaLookupBudget()

    /// Errors allowed within `window` before lookups stop.
    public let limit: Int
    /// How long an error counts, in seconds (the server's hour).
    public let window: TimeInterval
    private let errors = Mutex<[Date]>([])
    /// When the server last answered that lookups are blocked (429).
    private let blockedAt = Mutex<Date?>(nil)

    /// How long 360dialog's block lasts.
    public static let blockDuration: TimeInterval = 30 * 60

    public init(limit: Int = 10, window: TimeInterval = 3600) {
        self.limit = limit
        self.window = window
    }

    /// Why a lookup may not be made now, or nil when it may.
    public func refusal(now: Date = Date()) -> String? {
        // Blocked already: every further lookup would only be answered 429 again.
        if let blocked = blockedAt.withLock({ $0 }), now.timeIntervalSince(blocked) < Self.blockDuration {
            return "the server answered that media lookups are blocked (HTTP 429); stopped: 360dialog lifts the block 30 minutes after it began"
        }
        let count = errors.withLock { list in
            list.removeAll { now.timeIntervalSince($0) >= window }
            return list.count
        }
        guard count >= limit else { return nil }
        return "stopped after \(limit) failed lookups: 360dialog blocks media lookups for 30 minutes after 20 errors in an hour"
    }

    /// Notes that the server answered 429 to a lookup: lookups stop at once.
    public func recordBlock(now: Date = Date()) { blockedAt.withLock { $0 = now } }

    /// Counts one error answer.
    public func recordError(now: Date = Date()) { errors.withLock { $0.append(now) } }

    /// Errors that count now.
    public var recentErrors: Int {
        let now = Date()
        return errors.withLock { $0.filter { now.timeIntervalSince($0) < window }.count }
    }
}
