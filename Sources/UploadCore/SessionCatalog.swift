/// The journal's sessions as this process sees them, and the forgetting of sessions.
/// `mediaup sessions`, `mediaup forget` and the `Uploader` all go through it, so they
/// agree on what a crashed run left behind and on what belongs to another process.
public struct SessionCatalog: Sendable {
    /// A session as listed: its state as shown, and whether another process holds it.
    public struct Listing: Sendable, Equatable {
        /// The stored session, with a crashed run's active state shown as paused.
        public var session: UploadSession
        /// Another mediaup process is uploading this session now.
        public var activeElsewhere: Bool
    }

    /// What `forget(ids:allDone:)` did.
    public struct Forgetting: Sendable, Equatable {
        /// Sessions removed, journal rows and lock files.
        public var forgotten: [String] = []
        /// Named ids the journal does not know.
        public var unknown: [String] = []
        /// Named prefixes that begin several local ids: the prefix, and those ids.
        public var ambiguous: [String: [String]] = [:]
        /// Sessions left alone because another process is uploading them.
        public var busyElsewhere: [String] = []
    }

    private let journal: Journal
    private let stateDirectory: String

    public init(journal: Journal, stateDirectory: String) {
        self.journal = journal
        self.stateDirectory = stateDirectory
    }

    /// Whether another process holds session `id` right now.
    public func isActiveElsewhere(_ id: String) -> Bool {
        SessionLock.isHeldElsewhere(sessionID: id, stateDirectory: stateDirectory)
    }

    /// Whether `session` waits in the queue of another mediaup process that still runs
    /// (a queued row holds no session lock; its owner's process lock tells).
    public func isQueuedElsewhere(_ session: UploadSession, ownToken: String? = nil) -> Bool {
        guard session.state == .queued, let owner = session.owner, owner != ownToken else { return false }
        return ProcessLock.isAlive(owner, stateDirectory: stateDirectory)
    }

    /// Every session, oldest first. A session left active by a process that is gone
    /// shows as paused by quit (resumable).
    public func list() throws(JournalError) -> [Listing] {
        try journal.allSessions().map(listing)
    }

    /// One stored session as listed. A crashed run's active session shows as paused by
    /// quit: the next start of the screen resumes it, as a quit's pauses.
    public func listing(of session: UploadSession) -> Listing {
        var session = session
        let elsewhere = session.state.isActive && (isActiveElsewhere(session.id) || isQueuedElsewhere(session))
        if session.state.isActive && !elsewhere {
            session.state = .paused
            session.pausedBy = .quit
        }
        return Listing(session: session, activeElsewhere: elsewhere)
    }

    /// Forgets the sessions named by `ids` (as ``SessionLookup`` reads them), and with
    /// `allDone` every done one, leaving
    /// alone those another process is uploading: journal rows in one transaction (as
    /// clearing thousands must cost one commit), then their lock files.
    public func forget(ids: [String], allDone: Bool = false) throws(JournalError) -> Forgetting {
        let sessions = try journal.allSessions()
        var result = Forgetting()
        var chosen = allDone ? sessions.filter { $0.state == .done }.map(\.id) : []
        for text in ids {
            switch SessionLookup(text, among: sessions) {
            case .found(let session): if !chosen.contains(session.id) { chosen.append(session.id) }
            case .unknown: result.unknown.append(text)
            case .ambiguous(let candidates): result.ambiguous[text] = candidates
            }
        }
        result.busyElsewhere = try remove(ids: chosen)
        let busy = Set(result.busyElsewhere)
        result.forgotten = chosen.filter { !busy.contains($0) }
        return result
    }

    /// Removes sessions, each under its lock, so that one another process is uploading is
    /// never removed from under it: this process takes each lock (those in `held` it holds
    /// already), removes the rows in one transaction, then the lock files, and lets go.
    /// Returns the ids left alone because another process holds them.
    @discardableResult
    public func remove(ids: [String], holding held: Set<String> = []) throws(JournalError) -> [String] {
        var taken: [SessionLock] = []
        var removable: [String] = []
        var busy: [String] = []
        for id in ids {
            if held.contains(id) {
                removable.append(id)
                continue
            }
            switch SessionLock.tryAcquire(sessionID: id, stateDirectory: stateDirectory) {
            case .acquired(let lock):
                taken.append(lock)
                removable.append(id)
            case .heldElsewhere:
                busy.append(id)
            case .failed:
                // No lock can be taken in this state folder, so no process can be uploading.
                removable.append(id)
            }
        }
        if !removable.isEmpty {
            try journal.delete(ids: removable)
            for id in removable { SessionLock.removeFile(sessionID: id, stateDirectory: stateDirectory) }
        }
        withExtendedLifetime(taken) {}
        return busy
    }
}
