import Foundation
import UploadCore

/// A row's state in words, shared by the screen and the headless progress lines:
/// speed and ETA while moving, else what it waits for.
public enum UploadText {
    public static func words(for row: UploadSnapshot, bytesPerSecond: Double, date: Date) -> String {
        let session = row.session
        if row.activeElsewhere && session.state.isActive {
            return "active in another mediaup process (server offset \(ByteFormat.string(session.serverOffset)))"
        }
        switch session.state {
        case .uploading:
            guard bytesPerSecond > 0 else { return "uploading" }
            let remaining = Double(session.fileSize - row.transferredBytes)
            return ByteFormat.string(Int64(bytesPerSecond)) + "/s  " + RateMeter.clock(remaining / bytesPerSecond) + " left"
        case .creating: return "creating session"
        case .queued: return "queued"
        case .paused:
            return session.route == .media ? "paused (restarts from 0)" : "paused at " + ByteFormat.string(session.serverOffset)
        case .retrying, .stalled:
            let wait = row.retryAt.map { max(0, Int($0.timeIntervalSince(date).rounded(.up))) } ?? 0
            // The cause first: a narrow column keeps why, and cuts the countdown.
            // A stall is its own cause: "stalled — " says it.
            let cause = row.retryNote ?? (session.state == .stalled ? nil : session.lastError.map(shortCause))
            let retry = (cause.map { $0 + " — " } ?? "") + "retry \(row.retryNumber)/\(row.retryLimit) in \(wait)s"
            return session.state == .stalled ? "stalled — " + retry : retry
        case .done:
            let result = session.handle.map { "h " + $0 } ?? "id " + (session.mediaID ?? "")
            // A live id far from its end needs no words; one near it, or gone, does.
            guard session.remoteStanding(now: date) != .live || session.expiresSoon(now: date), let life = session.lifeText(now: date) else {
                return result
            }
            return life + " · " + result
        case .failed: return "failed: " + (session.lastError ?? "")
        case .expired: return "expired — R starts a new session"
        case .fileChanged: return "file changed — R sends it again"
        }
    }

    /// An error's head, for a row's words: "HTTP 503", "connection lost"; the whole
    /// text is in the row's details.
    static func shortCause(_ error: String) -> String {
        let head = error.prefix { $0 != ":" && $0 != "(" && $0 != "\n" }.trimmingCharacters(in: .whitespaces)
        return head.count > 28 ? String(head.prefix(27)) + "…" : head
    }
}
