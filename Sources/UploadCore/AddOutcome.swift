/// What `Uploader.add` did with a file.
public enum AddOutcome: Sendable, Equatable {
    /// The file is queued, in a new session or continuing an unfinished one.
    case queued(UploadSnapshot)
    /// The file, unchanged, was sent by this route within `UploadSession.reuseWindow`:
    /// nothing is sent again, and this is the finished session.
    case alreadyDone(UploadSnapshot)

    /// The session either way.
    public var snapshot: UploadSnapshot {
        switch self {
        case .queued(let snapshot), .alreadyDone(let snapshot): snapshot
        }
    }
}
