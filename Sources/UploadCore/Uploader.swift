import Foundation
import Logging

/// Runs uploads: schedules up to `parallel` transfers, retries what can be retried,
/// records every state change in the journal, and publishes snapshots that a screen
/// or a progress line can draw. Each session can be paused, resumed, retried or
/// cancelled on its own. The actor owns every session's state; `SessionDriver` runs
/// one session's transfer, `ElsewhereWatch` follows other processes' sessions.
public actor Uploader {
    private let journal: Journal
    private let api: MediaAPI
    /// The server and account this uploader sends to: rows of others are not continued.
    public nonisolated let account: ServerAccount
    private let stateDirectory: String
    private let catalog: SessionCatalog
    private let options: Options
    private let logger: Logger

    private var entries: [String: SessionEntry] = [:]
    private var order: [String] = []
    private var queue = UploadQueue()
    /// Sessions whose phase is not idle: kept as a count, since scheduling asks often.
    private var runs = 0
    /// Numbers attempts across sessions and runs, so late progress from an ended attempt is ignored.
    private var attempts = 0
    /// Set when the server refused the key: nothing more starts until it changes.
    private var haltMessage: String?
    private var observers = UploaderEvents()
    private var settleWaiters = SettleWaiters()
    /// The task following other processes' sessions, while there are any.
    private var watcher: Task<Void, Never>?
    /// The task looking for sessions other processes add, once `followJournal()` started it.
    private var journalFollower: Task<Void, Never>?
    /// This process's claim on its queue, taken when it first queues a row.
    private var processLock: ProcessLock?
    /// The newest creation time given to a session here, in milliseconds (as the journal
    /// keeps it): each new one is later, so the journal's order is the order of adding.
    private var newestCreation: Int64 = 0
    /// Why each running session asked to pause was asked: written on the row when its run ends.
    private var pauseReasons: [String: PauseReason] = [:]

    public init(
        journal: Journal, api: MediaAPI, account: ServerAccount, stateDirectory: String, options: Options = Options(),
        logger: Logger = Logger(label: "mediaup.uploader")
    ) {
        self.journal = journal
        self.api = api
        self.account = account
        self.stateDirectory = stateDirectory
        catalog = SessionCatalog(journal: journal, stateDirectory: stateDirectory)
        self.options = options
        self.logger = logger
    }

    // MARK: - Observing

    /// A stream of every change from now on. Each call makes a new, independent stream.
    public func events() -> AsyncStream<UploaderEvent> {
        observers.makeStream { [weak self] key in
            Task { await self?.removeObserver(key) }
        }
    }

    private func removeObserver(_ key: UUID) { observers.remove(key) }

    /// Every session this uploader knows, oldest first.
    public func currentSnapshots() -> [UploadSnapshot] { order.compactMap { entries[$0]?.snapshot } }

    /// One session's snapshot.
    public func snapshot(id: String) -> UploadSnapshot? { entries[id]?.snapshot }

    /// Loads every session from the journal. Sessions a crashed run left active show
    /// as paused (resumable); those another process is uploading show as such.
    @discardableResult
    public func loadJournal() throws(JournalError) -> [UploadSnapshot] {
        let sessions = try journal.allSessions()
        entries.reserveCapacity(entries.count + sessions.count)
        order.reserveCapacity(order.count + sessions.count)
        for session in sessions where entries[session.id] == nil {
            noteCreation(session.createdAt)
            let listing = catalog.listing(of: session)
            order.append(session.id)
            entries[session.id] = SessionEntry(
                snapshot: UploadSnapshot(
                    session: listing.session, retryLimit: options.retry.maxRetries,
                    activeElsewhere: listing.activeElsewhere))
        }
        followOtherProcessesIfNeeded()
        return currentSnapshots()
    }

    /// Looks for sessions other processes add to the journal, every `takeOverPollInterval`
    /// seconds until `stopFollowingJournal()`: a screen shows what a second screen or a
    /// script starts. Rows another process has queued or runs are shown as its, and followed.
    public func followJournal() {
        guard journalFollower == nil else { return }
        journalFollower = Task {
            // Read from a little before the last look: another process's row is stamped
            // when it is made and written a moment later.
            var since = Date().addingTimeInterval(-Self.creationSlack)
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(options.takeOverPollInterval))
                let looked = Date()
                adoptSessions(createdSince: since)
                since = looked.addingTimeInterval(-Self.creationSlack)
            }
        }
    }

    /// Stops `followJournal()`'s looks.
    public func stopFollowingJournal() {
        journalFollower?.cancel()
        journalFollower = nil
    }

    /// How long before a look its successor reads from again.
    private static let creationSlack: TimeInterval = 30

    private func adoptSessions(createdSince date: Date) {
        let sessions: [UploadSession]
        do { sessions = try journal.sessions(createdSince: date) } catch {
            logger.notice("cannot look for new sessions: \(error.description)")
            return
        }
        for session in sessions where entries[session.id] == nil {
            noteCreation(session.createdAt)
            // Not this process's: an active row is the other one's, locked or waiting in its
            // queue, and never in this one's.
            order.append(session.id)
            publish(UploadSnapshot(session: session, retryLimit: options.retry.maxRetries, activeElsewhere: session.state.isActive), queuing: false)
        }
        followOtherProcessesIfNeeded()
    }

    /// This process's queue token, its lock taken on first use; nil if the lock cannot be
    /// taken (the row is then shown to others as a crashed run's, as before queues had owners).
    private func queueOwnerToken() -> String? {
        if processLock == nil {
            switch ProcessLock.take(stateDirectory: stateDirectory) {
            case .success(let lock): processLock = lock
            case .failure(let problem): logger.notice("queued rows will name no process: \(problem.message)")
            }
        }
        return processLock?.token
    }

    /// A creation time later than any given or seen here, in whole milliseconds.
    private func nextCreationTime() -> Date {
        let (date, milliseconds) = Self.creationTime(now: Date(), after: newestCreation)
        newestCreation = milliseconds
        return date
    }

    /// `now`, or one millisecond after `newest` (milliseconds since 1970) where that is
    /// later: the time, and its milliseconds.
    static func creationTime(now: Date, after newest: Int64) -> (Date, Int64) {
        let milliseconds = max(Int64((now.timeIntervalSince1970 * 1000).rounded(.down)), newest + 1)
        // Half a millisecond in, so that rounding down to milliseconds keeps this one.
        return (Date(timeIntervalSince1970: (Double(milliseconds) + 0.5) / 1000), milliseconds)
    }

    private func noteCreation(_ date: Date) {
        newestCreation = max(newestCreation, Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// Starts following other processes' sessions, unless it is under way or there are none.
    private func followOtherProcessesIfNeeded() {
        if watcher == nil, entries.values.contains(where: { $0.snapshot.activeElsewhere && !$0.isRunning }) {
            watcher = Task { await self.followOtherProcesses() }
        }
    }

    private func followOtherProcesses() async {
        await ElsewhereWatch(journal: journal, catalog: catalog, pollInterval: options.takeOverPollInterval, logger: logger).follow(host: self)
        watcher = nil
    }

    /// Waits until none of `ids` is queued or running, and returns their snapshots
    /// (a cancelled session is left out).
    public func waitUntilSettled(_ ids: [String]) async -> [UploadSnapshot] {
        let wanted = Set(ids)
        let active = wanted.filter(isActive)
        if !active.isEmpty {
            await withCheckedContinuation { continuation in
                settleWaiters.add(ids: wanted, active: active, continuation: continuation)
            }
        }
        return ids.compactMap { entries[$0]?.snapshot }
    }

    private func isActive(_ id: String) -> Bool { entries[id]?.isActive ?? false }

    // MARK: - Commands

    /// Queues the file at `path` by `route`. A file that has an unfinished session in the
    /// journal (same path, size, mtime, device, inode and ctime) continues that session; a
    /// rewritten one fails that session as *file changed* and starts a new one; one that such a
    /// session finished within the day is not sent again (`.alreadyDone`). Refuses, with
    /// the reason, a file that cannot be read, that WhatsApp will not take, or (media checks
    /// on) whose content WhatsApp would not deliver; what it delivers with a caveat comes
    /// back as the outcome's warnings.
    public func add(path rawPath: String, route: UploadRoute) async throws(FileProblem) -> AddOutcome {
        let path = FilePaths.absolute(rawPath)
        let identity = try FileIdentity.read(path: path).get()
        // Sending the same files again after a crash then only finishes what was left.
        if options.reusesEarlierUploads, let done = try? journal.finishedSession(path: path, identity: identity, route: route, account: account),
            done.isRecentlyDone(now: Date())
        {
            return .alreadyDone(entries[done.id]?.snapshot ?? UploadSnapshot(session: done))
        }
        let head: [UInt8]
        do { head = try FileIdentity.readHead(path: path, count: MediaRules.sniffLength) } catch { throw FileProblem("cannot read \(error.message)") }
        let sendable = try options.judge(path: path, head: head, size: identity.size, route: route)
        if route == .media, options.reusesEarlierUploads, let earlier = try reusableMedia(path: path, size: identity.size),
            await stillHeld(earlier)
        {
            return .reused(entries[earlier.id]?.snapshot ?? UploadSnapshot(session: earlier))
        }
        let existing: UploadSession?
        do { existing = try journal.unfinishedSession(path: path, identity: identity, route: route, account: account) } catch {
            throw FileProblem(error.description)
        }
        if let existing {
            if let entry = entries[existing.id], entry.isRunning { return .queued(entry.snapshot, warnings: sendable.warnings) }
            if existing.identity.isSameVersion(as: identity) { return try enqueue(existing, warnings: sendable.warnings) }
            // Rewritten since (same size and mtime, new ctime or inode): the server's bytes
            // are another file's, so that session ends and the file starts over.
            failChanged(existing)
        }
        var session = UploadSession(
            path: path, fileSize: identity.size, fileModified: identity.modifiedNanoseconds, mimeType: sendable.type.mime, route: route)
        session.createdAt = nextCreationTime()
        session.identity = identity
        session.baseURL = account.baseURL
        session.account = account.fingerprint
        return try enqueue(session, warnings: sendable.warnings)
    }

    /// A finished `/media` session of this account with the file's bytes whose media id
    /// lives on for `Options.reuseMargin`. The file is hashed only when a live id of its
    /// size exists.
    private func reusableMedia(path: String, size: Int64) throws(FileProblem) -> UploadSession? {
        let issuedAfter = Date().addingTimeInterval(Options.reuseMargin - UploadSession.mediaIDLifetime)
        do {
            guard try journal.hasLiveMedia(size: size, account: account, issuedAfter: issuedAfter) else { return nil }
            return try journal.liveMedia(sha256: SHA256Digest.ofFile(at: path), size: size, account: account, issuedAfter: issuedAfter)
        } catch let error as JournalError {
            throw FileProblem(error.description)
        } catch let error as FileProblem {
            throw error
        } catch {
            throw FileProblem("\(error)")
        }
    }

    /// Whether a media id about to be reused still holds its bytes: taken on trust unless
    /// uploads are verified, when the server is asked. An id the server no longer knows
    /// (expired early, deleted elsewhere) is marked deleted, so it is never offered again;
    /// one that cannot be asked about is not reused this time.
    private func stillHeld(_ earlier: UploadSession) async -> Bool {
        guard options.verifiesMedia, let mediaID = earlier.mediaID else { return true }
        do throws(APIFailure) {
            let held = try await api.mediaInfo(id: mediaID, control: TransferControl())
            return held.sha256.lowercased() == earlier.sha256 && held.fileSize == earlier.fileSize
        } catch {
            if case .noSuchMedia = error {
                let now = Date()
                _ = try? journal.markDeleted(mediaID: mediaID, at: now)
                if entries[earlier.id] != nil { update(earlier.id) { $0.session.deletedAt = now } }
            }
            logger.notice("not reusing media id \(mediaID): \(error.description)")
            return false
        }
    }

    /// Sends the file of a finished `/media` session again for a new media id, in the same
    /// row: the old id goes into its history. Refuses a session that is not a done media
    /// upload, and one whose file is gone or changed since (its id names other bytes).
    public func refresh(id: String) throws(FileProblem) -> UploadSnapshot {
        guard let entry = entries[id], entry.snapshot.session.state == .done, !entry.isRunning else {
            throw FileProblem("session \(id) is not a finished upload")
        }
        let session = entry.snapshot.session
        guard session.route == .media, session.mediaID != nil else {
            throw FileProblem("\(session.fileName) went up as a resumable upload; only media ids expire and are refreshed")
        }
        let current: FileIdentity
        switch FileIdentity.read(path: session.path) {
        case .success(let read): current = read
        case .failure(let problem):
            // The report names the file already.
            let reason = problem.message.hasPrefix(session.path + ": ") ? String(problem.message.dropFirst(session.path.count + 2)) : problem.message
            throw FileProblem("cannot read it since its upload (\(reason)); nothing to refresh")
        }
        // Touched, or moved away and back: the same bytes still carry the id.
        let sameBytes =
            current.isSameVersion(as: session.identity)
            || (current.size == session.fileSize && session.sha256 != nil && (try? SHA256Digest.ofFile(at: session.path)) == session.sha256)
        guard sameBytes else {
            throw FileProblem(
                "\(session.fileName) changed since its upload, so its id names other bytes; `mediaup upload --via media --force` sends the new ones, "
                    + "`mediaup forget \(session.id)` drops this row")
        }
        // The id stays on the row until the new one arrives (`SessionDriver` moves it to the
        // history then): a refresh that fails or is stopped leaves a working id, not none.
        let write = changeRow(entry.snapshot, reopeningDone: true) {
            $0.session.identity = current
            $0.session.serverOffset = 0
            $0.session.state = .queued
            $0.session.lastError = nil
            $0.transferredBytes = 0
            $0.retryAt = nil
        }
        switch write {
        case .failed(let message): throw FileProblem(message)
        case .heldElsewhere: throw FileProblem(HeldElsewhere(fileName: session.fileName).description)
        case .alreadyDone, .written: break
        }
        schedule()
        return entries[id]!.snapshot
    }

    /// What the server holds under a finished `/media` session's media id (`GET /<id>`).
    public func lookUpMedia(id: String) async throws(APIFailure) -> RemoteMedia {
        guard let mediaID = entries[id]?.snapshot.session.mediaID else { throw .refused("session \(id) has no media id") }
        return try await api.mediaInfo(id: mediaID, control: TransferControl())
    }

    /// Deletes a finished `/media` session's media on the server, then marks its rows
    /// deleted in the journal and on the row. The server's deletion stands even if the
    /// journal cannot be written; that failure comes back as the message.
    public func deleteRemoteMedia(id: String) async throws(APIFailure) -> String? {
        guard let mediaID = entries[id]?.snapshot.session.mediaID else { throw .refused("session \(id) has no media id") }
        try await api.deleteMedia(id: mediaID, control: TransferControl())
        let now = Date()
        // Any row of this process with that id: the same bytes may be several rows.
        for snapshot in currentSnapshots() where snapshot.session.mediaID == mediaID && snapshot.session.deletedAt == nil {
            update(snapshot.id) { $0.session.deletedAt = now }
        }
        do { try journal.markDeleted(mediaID: mediaID, at: now) } catch { return "\(mediaID) was deleted, but \(error.description)" }
        return nil
    }

    /// Ends an unfinished session whose file was rewritten: the row shows *file changed*.
    /// One another process is uploading is that process's to end.
    private func failChanged(_ session: UploadSession) {
        changeRow(entries[session.id]?.snapshot ?? UploadSnapshot(session: session, retryLimit: options.retry.maxRetries)) {
            $0.session.state = .fileChanged
            $0.session.lastError =
                "\(session.fileName) was rewritten on disk since its upload began; it starts again from byte 0 in a new session"
        }
    }

    /// Queues a new session, or one the journal has for the file, and starts it when
    /// there is room. One another process is uploading is queued without a write: its
    /// run waits for the lock and reads the row then.
    private func enqueue(_ session: UploadSession, warnings: [MediaFinding]) throws(FileProblem) -> AddOutcome {
        let base = entries[session.id]?.snapshot ?? UploadSnapshot(session: session, retryLimit: options.retry.maxRetries)
        let write = changeRow(base, showingFailure: false) {
            // A row left expired with its server id by an older mediaup: that id is dead.
            if $0.session.state == .expired {
                $0.session.remoteID = nil
                $0.session.serverOffset = 0
            }
            $0.session.state = .queued
        }
        switch write {
        case .failed(let message): throw FileProblem(message)
        case .alreadyDone: return .alreadyDone(entries[session.id]!.snapshot)
        case .heldElsewhere:
            var queued = base
            queued.session.state = .queued
            show(queued)
        case .written: break
        }
        schedule()
        return .queued(entries[session.id]!.snapshot, warnings: warnings)
    }

    /// Resumes a paused, failed or interrupted session: asks the server for its offset,
    /// then sends the rest. An expired session, or one whose file changed, starts again
    /// from byte 0 with a new server session. A session of another server or account is
    /// left as it is, saying so.
    public func resume(id: String) {
        guard let entry = entries[id], !entry.isRunning, entry.snapshot.session.state != .done else { return }
        guard entry.snapshot.session.mayContinue(with: account) else {
            update(id) { $0.session.lastError = Self.elsewhereMessage($0.session) }
            return
        }
        haltMessage = nil
        // Held by another process: queued unwritten, the run waits for the lock.
        if changeRow(entry.snapshot, { $0 = $0.queuedForResume() }) == .heldElsewhere { publish(entry.snapshot.queuedForResume()) }
        schedule()
    }

    /// Why `session` cannot be resumed here: it belongs to another server or account.
    public static func elsewhereMessage(_ session: UploadSession) -> String {
        "session \(session.id) was begun on another server or account (\(session.baseURL ?? "?")); resume it with that base URL and key"
    }

    /// Retries a failed, expired or stalled row by hand; a row waiting for its next
    /// automatic attempt starts it at once. Refused for a session another process is
    /// uploading.
    public func retry(id: String) throws(HeldElsewhere) {
        if let entry = entries[id], case .running(let run, let attempt, _) = entry.phase,
            entry.snapshot.session.state == .stalled || entry.snapshot.session.state == .retrying
        {
            entries[id]?.phase = .running(run, attempt: attempt, retryNow: true)
            return
        }
        try refuseIfHeldElsewhere(id)
        resume(id: id)
    }

    /// Pauses a session: the transfer is aborted, the session kept, resumable. `reason`
    /// says whether the next start resumes it (`.quit`) or leaves it paused (`.user`).
    /// Refused for a session another process is uploading: its row is that process's.
    public func pause(id: String, by reason: PauseReason = .user) throws(HeldElsewhere) {
        guard let snapshot = entries[id]?.snapshot, snapshot.session.state.isActive else { return }
        if entries[id]?.phase.run != nil {
            // The first reason holds: a row paused by hand stays so when a quit follows.
            if pauseReasons[id] == nil { pauseReasons[id] = reason }
            _ = stop(id, .pause)
            return
        }
        let write = changeRow(snapshot) {
            guard $0.session.state.isActive else { return }
            $0.session.state = .paused
            $0.session.pausedBy = reason
        }
        if write == .heldElsewhere { throw HeldElsewhere(fileName: snapshot.session.fileName) }
    }

    /// Cancels a session and forgets it (the journal row goes too). Refused for a session
    /// another process is uploading, also while a run here waits for it.
    public func cancel(id: String) throws(HeldElsewhere) {
        guard entries[id] != nil else { return }
        try refuseIfHeldElsewhere(id)
        if !stop(id, .cancel) { forget([id]) }
    }

    /// Throws when another process holds session `id` and this one does not.
    private func refuseIfHeldElsewhere(_ id: String) throws(HeldElsewhere) {
        guard let entry = entries[id], entry.lock == nil, catalog.isActiveElsewhere(id) else { return }
        throw HeldElsewhere(fileName: entry.snapshot.session.fileName)
    }

    /// Asks the session's run, if there is one, to stop; returns whether there was.
    private func stop(_ id: String, _ kind: SessionPhase.Stop) -> Bool {
        guard let run = entries[id]?.phase.run else { return false }
        entries[id]?.phase = .stopping(run, kind)
        run.control.cancel()
        run.task.cancel()
        return true
    }

    /// Forgets every finished (done) session, journal rows too; returns how many. Their
    /// handles and media ids go with them, and a file among them is sent anew next time.
    @discardableResult
    public func forgetDone() -> Int {
        let done = order.filter { entries[$0]?.snapshot.session.state == .done && entries[$0]?.isRunning == false }
        return forget(done).count
    }

    /// Pauses every active session, for `reason` (by hand unless told), except those
    /// another process is uploading.
    public func pauseAll(by reason: PauseReason = .user) { for id in order { try? pause(id: id, by: reason) } }

    /// Resumes every paused session (not failed ones: those need a look first).
    public func resumeAll() {
        for id in order where entries[id]?.snapshot.session.state == .paused { resume(id: id) }
    }

    /// Resumes what a quit paused or a crash left active, for this server and account
    /// only (a row that does not record its account is left to a resume by hand); rows
    /// paused by hand stay paused. Call after `loadJournal()` when a screen starts.
    public func resumeInterrupted() {
        for id in order {
            guard let session = entries[id]?.snapshot.session, session.state == .paused, session.pausedBy == .quit,
                session.account != nil, session.mayContinue(with: account)
            else { continue }
            resume(id: id)
        }
    }

    /// Pauses everything as a quit does, and waits until every transfer has stopped, so
    /// the journal holds each session's last confirmed offset: the next start of the
    /// screen resumes them. Call before exiting.
    public func pauseAllAndWait() async {
        pauseAll(by: .quit)
        let tasks = entries.values.compactMap(\.phase.run?.task)
        for task in tasks { await task.value }
    }

    // MARK: - Scheduling

    private func schedule() {
        while let id = queue.first {
            let isQueued = entries[id].map { $0.snapshot.session.state == .queued && !$0.isRunning } ?? false
            if isQueued && haltMessage == nil && runs >= options.parallel { break }
            queue.removeFirst()
            guard isQueued, let snapshot = entries[id]?.snapshot else { continue }
            if let refused = haltMessage {
                let write = changeRow(snapshot) {
                    $0.session.state = .failed
                    $0.session.lastError = "not sent: \(refused)"
                }
                if write == .heldElsewhere { showAsElsewhere(id) }
                continue
            }
            let driver = SessionDriver(
                id: id, control: TransferControl(), api: api, journal: journal, stateDirectory: stateDirectory,
                options: options, logger: logger)
            let task = Task { await driver.drive(host: self) }
            entries[id]?.phase = .claiming(SessionPhase.Run(task: task, control: driver.control))
            runs += 1
        }
    }

    /// Forgets sessions, rows and locks, except those another process holds; returns the
    /// forgotten ones.
    @discardableResult
    private func forget(_ ids: [String]) -> [String] {
        guard !ids.isEmpty else { return [] }
        var busy = Set<String>()
        do { busy = Set(try catalog.remove(ids: ids, holding: Set(ids.filter { entries[$0]?.lock != nil }))) } catch {
            logger.error("cannot forget \(ids.count) session(s): \(error.description)")
        }
        let forgotten = ids.filter { !busy.contains($0) }
        for id in forgotten { entries[id] = nil }
        let gone = Set(forgotten)
        order.removeAll { gone.contains($0) }
        if !forgotten.isEmpty { observers.emit(.removed(ids: forgotten)) }
        for id in forgotten { settle(id) }
        return forgotten
    }

    /// Shows a session another process holds as its journal row says, and follows it:
    /// a run here that never got its lock leaves that row as it is.
    private func showAsElsewhere(_ id: String) {
        guard let stored = try? journal.session(id: id) else { return }
        update(id) {
            $0.session = stored
            $0.transferredBytes = stored.serverOffset
            $0.retryAt = nil
            $0.activeElsewhere = stored.state.isActive
        }
        followOtherProcessesIfNeeded()
    }

    // MARK: - State plumbing

    /// Changes a session's snapshot and publishes it.
    func update(_ id: String, _ change: (inout UploadSnapshot) -> Void) {
        guard var snapshot = entries[id]?.snapshot else { return }
        change(&snapshot)
        publish(snapshot)
    }

    /// Stores a snapshot, queues it if it is queued (unless `queuing` is false: a row
    /// another process keeps in its queue), and tells observers and waiters.
    func publish(_ snapshot: UploadSnapshot, queuing: Bool = true) {
        let before = entries[snapshot.id]?.snapshot.session.state
        if before != snapshot.session.state {
            logger.debug("session \(snapshot.id) \(before.map { "\($0.rawValue) → " } ?? "")\(snapshot.session.state.rawValue)")
        }
        if entries[snapshot.id] == nil {
            entries[snapshot.id] = SessionEntry(snapshot: snapshot)
        } else {
            entries[snapshot.id]?.snapshot = snapshot
        }
        if queuing && snapshot.session.state == .queued { queue.append(snapshot.id) }
        observers.emit(.updated(snapshot))
        settle(snapshot.id)
    }

    /// Tells the waiters for `id` whether it is still active.
    private func settle(_ id: String) { settleWaiters.note(id, isActive: isActive(id)) }

    /// Writes the session's current state during its run, which holds the lock; a journal
    /// that cannot be written ends the run, since going on would upload bytes a crash
    /// could not account for.
    func persist(_ id: String) throws(SessionDriver.End) {
        guard var session = entries[id]?.snapshot.session else { return }
        guard entries[id]?.lock != nil else {
            throw SessionDriver.End(state: .failed, message: HeldElsewhere(fileName: session.fileName).description)
        }
        session.updatedAt = Date()
        entries[id]?.snapshot.session = session
        do { try journal.save(session) } catch {
            throw SessionDriver.End(state: .failed, message: error.description)
        }
    }

    /// What became of a change to a session's row.
    enum RowWrite: Equatable {
        case written
        /// Another process holds the session: nothing was written or shown.
        case heldElsewhere
        /// The journal has the session done: the row is shown so, unchanged.
        case alreadyDone
        /// The journal could not be written.
        case failed(String)
    }

    /// Changes session `base`'s row, writes it and shows it, as only the holder of a
    /// session's lock may. A run of this process holds it until its last write, and
    /// `change` applies to the row as the run has it. Otherwise the lock is taken for the
    /// write and `change` applies to the row as the journal has it now, since another
    /// process may have moved it on since this one read it; a row the journal lacks is
    /// this process's new one, and a done row is left done unless `reopeningDone`. A failed
    /// write is shown on the row, unless `showingFailure` is false.
    @discardableResult
    private func changeRow(
        _ base: UploadSnapshot, showingFailure: Bool = true, reopeningDone: Bool = false, _ change: (inout UploadSnapshot) -> Void
    ) -> RowWrite {
        let id = base.id
        var snapshot = base
        var taken: SessionLock?
        if entries[id]?.lock == nil {
            switch SessionLock.tryAcquire(sessionID: id, stateDirectory: stateDirectory) {
            case .acquired(let lock): taken = lock
            case .heldElsewhere: return .heldElsewhere
            case .failed(let message): return failedWrite(snapshot, message, showing: showingFailure)
            }
            if let stored = try? journal.session(id: id) {
                snapshot.session = stored
                snapshot.transferredBytes = stored.serverOffset
                snapshot.activeElsewhere = false
                if stored.state == .done && !reopeningDone {
                    show(snapshot)
                    return .alreadyDone
                }
            }
        }
        change(&snapshot)
        snapshot.session.updatedAt = Date()
        // A queued row says whose queue it waits in; a started one holds its session lock.
        snapshot.session.owner = snapshot.session.state == .queued ? queueOwnerToken() : nil
        do { try journal.save(snapshot.session) } catch {
            return failedWrite(snapshot, error.description, showing: showingFailure)
        }
        withExtendedLifetime(taken) {}
        show(snapshot)
        return .written
    }

    /// Publishes a snapshot, listing its session if it is new here.
    private func show(_ snapshot: UploadSnapshot) {
        if entries[snapshot.id] == nil { order.append(snapshot.id) }
        publish(snapshot)
    }

    private func failedWrite(_ snapshot: UploadSnapshot, _ message: String, showing: Bool) -> RowWrite {
        logger.error("\(message)")
        if showing, entries[snapshot.id] != nil { update(snapshot.id) { $0.session.lastError = message } }
        return .failed(message)
    }
}

extension Uploader: SessionDriverHost, ElsewhereWatchHost {
    func stopRequested(_ id: String) -> SessionPhase.Stop? { entries[id]?.phase.stop }

    func holdLock(_ id: String, _ lock: SessionLock) { entries[id]?.lock = lock }

    func beginAttempt(_ id: String) -> Int {
        attempts += 1
        // A run asked to stop stays so; its attempt ends at the first check.
        if let phase = entries[id]?.phase, let run = phase.run, phase.stop == nil {
            entries[id]?.phase = .running(run, attempt: attempts, retryNow: false)
        }
        return attempts
    }

    func takeRetryNow(_ id: String) -> Bool {
        guard case .running(let run, let attempt, true) = entries[id]?.phase else { return false }
        entries[id]?.phase = .running(run, attempt: attempt, retryNow: false)
        return true
    }

    func haltRun(_ message: String) { haltMessage = message }

    func noteProgress(id: String, attempt: Int, transferred: Int64) {
        guard case .running(_, attempt, _) = entries[id]?.phase, entries[id]?.snapshot.session.state == .uploading else { return }
        update(id) { $0.transferredBytes = transferred }
    }

    func finishRun(id: String, end: SessionDriver.End?) {
        let stop = entries[id]?.phase.stop
        let pauseReason = pauseReasons.removeValue(forKey: id)
        entries[id]?.phase = .idle
        runs -= 1
        if stop == .cancel {
            if forget([id]).isEmpty { showAsElsewhere(id) }
        } else if let end, end.state != .done, let snapshot = entries[id]?.snapshot {
            let write = changeRow(snapshot) {
                end.apply(to: &$0)
                if end.state == .paused { $0.session.pausedBy = pauseReason ?? .user }
                // Only a refresh runs with a media id already: the id it meant to replace
                // still works, so the row stays done with it, saying why nothing changed.
                if $0.session.mediaID != nil {
                    $0.session.state = .done
                    $0.session.serverOffset = $0.session.fileSize
                    $0.transferredBytes = $0.session.fileSize
                    $0.session.lastError = "the refresh did not finish (\(end.message ?? end.state.rawValue)); the earlier media id stays"
                }
            }
            if write == .heldElsewhere { showAsElsewhere(id) }
            logger.info("session \(id) ended \(end.state.rawValue): \(end.message ?? "")")
        }
        // The row holds the run's last state: another process may take the session now.
        entries[id]?.lock = nil
        schedule()
        settle(id)
    }

    func sessionsActiveElsewhere() -> [UploadSnapshot] {
        order.compactMap { entries[$0] }.filter { $0.snapshot.activeElsewhere && !$0.isRunning }.map(\.snapshot)
    }
}
