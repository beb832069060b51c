/// What `Uploader.add` did with a file.
public enum AddOutcome: Sendable, Equatable {
    /// The file is queued, in a new session or continuing an unfinished one; `warnings`
    /// are what WhatsApp delivers with a caveat (the inspection's, when media checks are on).
    case queued(UploadSnapshot, warnings: [MediaFinding] = [])
    /// The file, unchanged, was sent by this route within `UploadSession.reuseWindow`:
    /// nothing is sent again, and this is the finished session.
    case alreadyDone(UploadSnapshot)
    /// The same bytes went up by `/media` before, maybe under another name, and their
    /// media id is still live: nothing is sent, and this is that upload's session.
    case reused(UploadSnapshot)

    /// The session either way.
    public var snapshot: UploadSnapshot {
        switch self {
        case .queued(let snapshot, _), .alreadyDone(let snapshot), .reused(let snapshot): snapshot
        }
    }

    /// The warnings of a queued file.
    public var warnings: [MediaFinding] {
        if case .queued(_, let warnings) = self { return warnings }
        return []
    }
}
