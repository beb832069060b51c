import UploadCore

/// The Uploads pane's rows by what they are doing, as the header and the quit question
/// count them: a queued row is waiting, not uploading.
public struct UploadCounts: Sendable, Equatable {
    /// Sending here, or about to (creating a session, waiting to retry, stalled).
    public var running = 0
    /// Waiting here for a free slot.
    public var queued = 0
    /// Queued or sending in another mediaup process.
    public var elsewhere = 0
    public var paused = 0
    /// Failed, expired or changed on disk: each waits for the user.
    public var failed = 0
    public var done = 0

    public init() {}

    mutating func count(_ row: UploadSnapshot) {
        let state = row.session.state
        if state.isActive && row.activeElsewhere {
            elsewhere += 1
            return
        }
        switch state {
        case .queued: queued += 1
        case .creating, .uploading, .retrying, .stalled: running += 1
        case .paused: paused += 1
        case .done: done += 1
        case .failed, .expired, .fileChanged: failed += 1
        }
    }
}
