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

    /// The states that have rows, in the header's order: how many, the word, the rows'
    /// icon. `movingOnly`: uploading, queued and elsewhere, what a border counts below.
    func parts(movingOnly: Bool = false) -> [(count: Int, word: String, icon: String)] {
        var all = [(running, "uploading", "▶"), (queued, "queued", "·"), (elsewhere, "elsewhere", "⇄")]
        if !movingOnly { all += [(paused, "paused", "‖"), (failed, "failed", "✖"), (done, "done", "✔")] }
        return all.filter { $0.0 > 0 }.map { (count: $0.0, word: $0.1, icon: $0.2) }
    }

    /// Counts one row. Its state and whether it is elsewhere, not the row: taking rows
    /// by value copied every one of 10,000 per frame.
    mutating func count(_ state: UploadState, elsewhere activeElsewhere: Bool) {
        if state.isActive && activeElsewhere {
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
