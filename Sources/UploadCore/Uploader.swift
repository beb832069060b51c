import Dispatch
import Foundation
import Logging

/// What an observer of the `Uploader` hears.
public enum UploaderEvent: Sendable, Equatable {
    /// A session changed: state, progress, retry timing.
    case updated(UploadSnapshot)
    /// Sessions were cancelled or cleared, and forgotten: one event for a batch, so a
    /// screen drops thousands of rows in one pass.
    case removed(ids: [String])
}

/// Runs uploads: schedules up to `parallel` transfers, retries what can be retried,
/// records every state change in the journal, and publishes snapshots that a screen
/// or a progress line can draw. Each session can be paused, resumed, retried or
/// cancelled on its own.
public actor Uploader {
    /// How the uploader runs transfers.
    public struct Options: Sendable {
        /// Transfers running at once.
        public var parallel: Int
        public var retry: RetryPolicy
        /// Bytes per POST of a resumable session; nil sends the rest in one request.
        public var chunkSize: Int64?
        /// Seconds between looks at a session another process holds.
        public var takeOverPollInterval: Double
        /// Whether each file's SHA-256 is computed beside its transfer (`sha256` of the
        /// session). Off by default: on a machine whose cores are busy (a local server,
        /// several transfers) the hash's second of CPU per GB slows the uploads that
        /// users compare with curl (bench/RESULTS.md).
        public var computesSHA256: Bool
        /// Whether files over WhatsApp's size limits are refused. Only a local sandbox
        /// takes bigger ones; benchmarks use it to send a GiB.
        public var enforcesSizeLimits: Bool

        public init(parallel: Int = 4, retry: RetryPolicy = RetryPolicy(), chunkSize: Int64? = nil, takeOverPollInterval: Double = 1,
                    computesSHA256: Bool = false, enforcesSizeLimits: Bool = true) {
            self.parallel = max(1, parallel)
            self.retry = retry
            self.chunkSize = chunkSize
            self.takeOverPollInterval = takeOverPollInterval
            self.computesSHA256 = computesSHA256
            self.enforcesSizeLimits = enforcesSizeLimits
        }
    }

    private enum StopKind { case pause, cancel }

    private struct Running {
        let task: Task<Void, Never>
        let control: TransferControl
    }

    private let journal: Journal
    private let api: MediaAPI
    private let stateDirectory: String
    private let options: Options
    private let logger: Logger

    private var snapshots: [String: UploadSnapshot] = [:]
    private var order: [String] = []
    private var running: [String: Running] = [:]
    private var stopRequests: [String: StopKind] = [:]
    private var observers: [UUID: AsyncStream<UploaderEvent>.Continuation] = [:]
    /// Callers of `waitUntilSettled`, each with the ids it waits for that are still active;
    /// kept per id so that a change costs a set update, not a scan of every id.
    private var settleWaiters: [UUID: (ids: Set<String>, active: Set<String>, continuation: CheckedContinuation<Void, Never>)] = [:]
    /// Sessions in the order they became queued, from `queueHead` on. An entry whose row
    /// has left the queued state since is skipped when reached, so scheduling costs the
    /// same with 2,000 rows as with 2.
    private var queue: [String] = []
    private var queueHead = 0
    private var inQueue: Set<String> = []
    /// Set when the server refused the key: nothing more starts until it changes.
    private var refusedKeyMessage: String?
    /// Bumped per attempt, so late progress from an ended attempt is ignored.
    private var attemptGeneration: [String: Int] = [:]
    /// Rows waiting out a backoff that the user asked to retry now.
    private var pendingImmediateRetry: Set<String> = []

    public init(journal: Journal, api: MediaAPI, stateDirectory: String, options: Options = Options(), logger: Logger = Logger(label: "mediaup.uploader")) {
        self.journal = journal
        self.api = api
        self.stateDirectory = stateDirectory
        self.options = options
        self.logger = logger
    }

    // MARK: - Observing

    /// A stream of every change from now on. Each call makes a new, independent stream.
    public func events() -> AsyncStream<UploaderEvent> {
        let (stream, continuation) = AsyncStream<UploaderEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let key = UUID()
        observers[key] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeObserver(key) }
        }
        return stream
    }

    private func removeObserver(_ key: UUID) { observers[key] = nil }

    /// Every session this uploader knows, oldest first.
    public func currentSnapshots() -> [UploadSnapshot] { order.compactMap { snapshots[$0] } }

    /// One session's snapshot.
    public func snapshot(id: String) -> UploadSnapshot? { snapshots[id] }

    /// Loads every session from the journal. Sessions a crashed run left active show
    /// as paused (resumable); those another process is uploading show as such.
    @discardableResult
    public func loadJournal() throws(JournalError) -> [UploadSnapshot] {
        for var session in try journal.allSessions() where snapshots[session.id] == nil {
            let elsewhere = session.state.isActive && SessionLock.isHeldElsewhere(sessionID: session.id, stateDirectory: stateDirectory)
            if session.state.isActive && !elsewhere { session.state = .paused }
            order.append(session.id)
            snapshots[session.id] = UploadSnapshot(session: session, retryLimit: options.retry.maxRetries, activeElsewhere: elsewhere)
        }
        if watcher == nil, snapshots.values.contains(where: \.activeElsewhere) {
            watcher = Task { await self.watchOtherProcesses() }
        }
        return currentSnapshots()
    }

    /// Follows sessions another process is uploading: shows what its journal rows say,
    /// and takes a session over (resumes it here) the moment that process lets go of
    /// it without finishing, e.g. because it died.
    private func watchOtherProcesses() async {
        while !Task.isCancelled {
            let watched = order.filter { snapshots[$0]?.activeElsewhere == true && running[$0] == nil }
            if watched.isEmpty { break }
            for id in watched {
                guard var snapshot = snapshots[id], let stored = try? journal.session(id: id) else { continue }
                snapshot.session = stored
                snapshot.transferredBytes = stored.serverOffset
                if SessionLock.isHeldElsewhere(sessionID: id, stateDirectory: stateDirectory) {
                    if snapshot != snapshots[id] { publish(snapshot) }
                    continue
                }
                snapshot.activeElsewhere = false
                let abandoned = stored.state.isActive
                if abandoned { snapshot.session.state = .paused }
                publish(snapshot)
                if abandoned {
                    logger.info("session \(id) was left by another process; taking it over")
                    resume(id: id)
                }
            }
            try? await Task.sleep(for: .seconds(options.takeOverPollInterval))
        }
        watcher = nil
    }

    /// The task following other processes' sessions, while there are any.
    private var watcher: Task<Void, Never>?

    /// Waits until none of `ids` is queued or running, and returns their snapshots
    /// (a cancelled session is left out).
    public func waitUntilSettled(_ ids: [String]) async -> [UploadSnapshot] {
        let wanted = Set(ids)
        let active = wanted.filter(isActive)
        if active.isEmpty { return ids.compactMap { snapshots[$0] } }
        await withCheckedContinuation { continuation in
            settleWaiters[UUID()] = (wanted, active, continuation)
        }
        return ids.compactMap { snapshots[$0] }
    }

    private func isActive(_ id: String) -> Bool {
        running[id] != nil || (snapshots[id]?.session.state.isActive ?? false)
    }

    // MARK: - Commands

    /// Queues the file at `path` by `route`. A file that has an unfinished session in the
    /// journal (same path, size and mtime) continues that session. Refuses, with the
    /// reason, a file that cannot be read or that WhatsApp will not take.
    public func add(path rawPath: String, route: UploadRoute) throws(FileProblem) -> UploadSnapshot {
        let path = FilePaths.absolute(rawPath)
        let identity = try FileIdentity.read(path: path).get()
        let mediaType: MediaType
        switch MediaRules.verdict(forFileAt: path, route: route, sizeLimits: options.enforcesSizeLimits) {
        case .rejected(let reason): throw FileProblem(reason)
        case .accepted(let type): mediaType = type
        }
        let existing: UploadSession?
        do { existing = try journal.unfinishedSession(path: path, identity: identity, route: route) } catch {
            throw FileProblem(error.description)
        }
        if let existing {
            if running[existing.id] != nil, let snapshot = snapshots[existing.id] { return snapshot }
            if snapshots[existing.id] == nil { order.append(existing.id) }
            var session = existing
            session.state = .queued
            return try enqueue(session)
        }
        let session = UploadSession(path: path, fileSize: identity.size, fileModified: identity.modifiedNanoseconds,
                                    mimeType: mediaType.mime, route: route)
        order.append(session.id)
        return try enqueue(session)
    }

    private func enqueue(_ session: UploadSession) throws(FileProblem) -> UploadSnapshot {
        var session = session
        session.state = .queued
        session.updatedAt = Date()
        do { try journal.save(session) } catch {
            order.removeAll { $0 == session.id }
            throw FileProblem(error.description)
        }
        publish(UploadSnapshot(session: session, retryLimit: options.retry.maxRetries))
        schedule()
        return snapshots[session.id]!
    }

    /// Resumes a paused, failed or interrupted session: asks the server for its offset,
    /// then sends the rest. An expired session, or one whose file changed, starts again
    /// from byte 0 with a new server session.
    public func resume(id: String) {
        guard var snapshot = snapshots[id], running[id] == nil, snapshot.session.state != .done else { return }
        if snapshot.session.state == .expired || snapshot.session.state == .fileChanged {
            snapshot.session.remoteId = nil
            snapshot.session.serverOffset = 0
        }
        if snapshot.session.state == .fileChanged, case .success(let identity) = FileIdentity.read(path: snapshot.session.path) {
            snapshot.session.fileSize = identity.size
            snapshot.session.fileModified = identity.modifiedNanoseconds
        }
        snapshot.session.state = .queued
        snapshot.session.lastError = nil
        snapshot.transferredBytes = snapshot.session.serverOffset
        snapshot.retryAt = nil
        refusedKeyMessage = nil
        persistOrFail(&snapshot)
        publish(snapshot)
        schedule()
    }

    /// Retries a failed, expired or stalled row by hand; a row waiting for its next
    /// automatic attempt starts it at once.
    public func retry(id: String) {
        if running[id] != nil, let state = snapshots[id]?.session.state, state == .stalled || state == .retrying {
            pendingImmediateRetry.insert(id)
            return
        }
        resume(id: id)
    }

    /// Pauses a session: the transfer is aborted, the session kept, resumable.
    public func pause(id: String) {
        guard var snapshot = snapshots[id], snapshot.session.state.isActive else { return }
        if let run = running[id] {
            stopRequests[id] = .pause
            run.control.cancel()
            run.task.cancel()
        } else {
            snapshot.session.state = .paused
            persistOrFail(&snapshot)
            publish(snapshot)
        }
    }

    /// Cancels a session and forgets it (the journal row goes too).
    public func cancel(id: String) {
        guard snapshots[id] != nil else { return }
        if let run = running[id] {
            stopRequests[id] = .cancel
            run.control.cancel()
            run.task.cancel()
        } else {
            forget([id])
        }
    }

    /// Forgets every finished (done) session, journal rows too; returns how many. Their
    /// handles and media ids go with them, and a file among them is sent anew next time.
    @discardableResult
    public func forgetDone() -> Int {
        let done = order.filter { snapshots[$0]?.session.state == .done && running[$0] == nil }
        forget(done)
        return done.count
    }

    /// Pauses every active session.
    public func pauseAll() { for id in order { pause(id: id) } }

    /// Resumes every paused session (not failed ones: those need a look first).
    public func resumeAll() {
        for id in order where snapshots[id]?.session.state == .paused { resume(id: id) }
    }

    /// Pauses everything and waits until every transfer has stopped, so the journal
    /// holds each session's last confirmed offset. Call before exiting.
    public func pauseAllAndWait() async {
        pauseAll()
        let tasks = running.values.map(\.task)
        for task in tasks { await task.value }
    }

    // MARK: - Scheduling

    private func schedule() {
        while queueHead < queue.count {
            let id = queue[queueHead]
            let isQueued = snapshots[id]?.session.state == .queued && running[id] == nil
            if isQueued && refusedKeyMessage == nil && running.count >= options.parallel { break }
            queueHead += 1
            inQueue.remove(id)
            guard isQueued, var snapshot = snapshots[id] else { continue }
            if let refused = refusedKeyMessage {
                snapshot.session.state = .failed
                snapshot.session.lastError = "not sent: \(refused)"
                persistOrFail(&snapshot)
                publish(snapshot)
                continue
            }
            let control = TransferControl()
            let task = Task { await self.drive(id: id, control: control) }
            running[id] = Running(task: task, control: control)
        }
        if queueHead > 1024 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    /// Puts a queued row at the back of the queue (once).
    private func noteQueued(_ snapshot: UploadSnapshot) {
        guard snapshot.session.state == .queued, inQueue.insert(snapshot.id).inserted else { return }
        queue.append(snapshot.id)
    }

    private func forget(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        do { try journal.delete(ids: ids) } catch {
            logger.error("cannot forget \(ids.count) session(s): \(error.description)")
        }
        for id in ids {
            SessionLock.removeFile(sessionID: id, stateDirectory: stateDirectory)
            snapshots[id] = nil
        }
        let gone = Set(ids)
        order.removeAll { gone.contains($0) }
        emit(.removed(ids: ids))
        for id in ids { settle(id) }
    }

    // MARK: - Driving one session

    /// A failure that ends the row's run.
    private struct RowEnd: Error {
        var state: UploadState
        var message: String?
    }

    private func drive(id: String, control: TransferControl) async {
        let lock: SessionLock
        do {
            lock = try await claim(id: id)
        } catch {
            finishRun(id: id, end: error as? RowEnd)
            return
        }
        let end = await runClaimed(id: id, control: control)
        if end?.state == .paused && stopRequests[id] == .pause { await recordOffsetAfterPause(id: id) }
        finishRun(id: id, end: end)
        withExtendedLifetime(lock) {}
    }

    /// After a pause, asks the server (briefly) how much it holds, so the row and the
    /// journal say where the upload stands. Best effort: the next resume asks again.
    private func recordOffsetAfterPause(id: String) async {
        guard let session = snapshots[id]?.session, session.route == .resumable, let remoteId = session.remoteId else { return }
        var quick = api
        quick.limits = TransferLimits(connectTimeout: 2, stallTimeout: 3)
        // A fresh task: this one is cancelled, and the question must still go out.
        let asked = await Task { [quick] in try? await quick.serverOffset(sessionID: remoteId, control: TransferControl()) }.value
        if let offset = asked, offset <= session.fileSize {
            update(id) { $0.session.serverOffset = offset }
        }
    }

    /// Claims the session's lock, waiting while another process holds it, then
    /// reloads the session from the journal in case that process advanced it.
    private func claim(id: String) async throws -> SessionLock {
        while true {
            switch SessionLock.tryAcquire(sessionID: id, stateDirectory: stateDirectory) {
            case .acquired(let lock):
                if var snapshot = snapshots[id] {
                    if let stored = try? journal.session(id: id) {
                        let state = snapshot.session.state
                        snapshot.session = stored
                        snapshot.session.state = stored.state == .done ? .done : state
                    }
                    snapshot.activeElsewhere = false
                    publish(snapshot)
                    if snapshot.session.state == .done { throw RowEnd(state: .done, message: nil) }
                }
                return lock
            case .heldElsewhere:
                if var snapshot = snapshots[id], !snapshot.activeElsewhere {
                    snapshot.activeElsewhere = true
                    publish(snapshot)
                }
                do {
                    try await Task.sleep(for: .seconds(options.takeOverPollInterval))
                } catch {
                    throw stopEnd(id: id)
                }
            case .failed(let message):
                throw RowEnd(state: .failed, message: message)
            }
        }
    }

    /// The state a stop request leaves the row in.
    private func stopEnd(id: String) -> RowEnd {
        RowEnd(state: stopRequests[id] == .cancel ? .queued : .paused, message: nil)
    }

    /// Runs attempts until the session is done or must stop. Returns how it ended
    /// (nil when done and already published).
    private func runClaimed(id: String, control: TransferControl) async -> RowEnd? {
        guard var session = snapshots[id]?.session else { return nil }
        // The file must still be the version the session began with.
        switch FileIdentity.read(path: session.path) {
        case .failure(let problem):
            return RowEnd(state: .failed, message: problem.message)
        case .success(let identity) where identity != session.identity:
            if session.remoteId == nil && session.serverOffset == 0 {
                session.fileSize = identity.size
                session.fileModified = identity.modifiedNanoseconds
                if case .rejected(let reason) = MediaRules.verdict(forFileAt: session.path, route: session.route, sizeLimits: options.enforcesSizeLimits) {
                    return RowEnd(state: .failed, message: reason)
                }
                update(id) { $0.session.fileSize = identity.size; $0.session.fileModified = identity.modifiedNanoseconds }
            } else {
                return RowEnd(state: .fileChanged, message: "\(session.fileName) changed on disk since its upload began (size or modification time); nothing more was sent")
            }
        case .success: break
        }
        let path = session.path
        let hash = options.computesSHA256 ? Task.detached { await BackgroundHashing.sha256(ofFileAt: path) } : nil
        defer { hash?.cancel() }

        var retriesUsed = 0
        var offsetAtLastFailure: Int64 = -1
        var resyncsInARow = 0
        var offsetAtLastResync: Int64 = -1
        while true {
            do {
                try Task.checkCancellation()
                let result = try await attempt(id: id, control: control)
                guard case .success(let identity) = FileIdentity.read(path: path), identity == snapshots[id]?.session.identity else {
                    return RowEnd(state: .fileChanged, message: "\(session.fileName) changed on disk while it was being sent; the server's copy may be mixed. Retry to send it again")
                }
                let digest = await hash?.value
                update(id) {
                    switch result {
                    case .handle(let handle): $0.session.handle = handle
                    case .mediaID(let mediaID): $0.session.mediaId = mediaID
                    }
                    $0.session.sha256 = try? digest?.get()
                    $0.session.serverOffset = $0.session.fileSize
                    $0.transferredBytes = $0.session.fileSize
                    $0.session.state = .done
                    $0.session.lastError = nil
                    $0.retryAt = nil
                }
                try persist(id)
                logger.info("done \(id) \(session.fileName)")
                return nil
            } catch let end as RowEnd {
                return end
            } catch is CancellationError {
                return stopEnd(id: id)
            } catch let failure as APIFailure {
                let message = failure.description
                let reaction = failure.reaction
                if reaction != .stopped {
                    logger.notice("session \(id) attempt failed: \(message)")
                    update(id) { $0.session.lastError = message }
                }
                switch reaction {
                case .stopped:
                    return stopEnd(id: id)
                case .resync:
                    // An offset that moved since the last refusal means bytes of an earlier
                    // connection (say, of a killed run) are still arriving: not a failure.
                    // Give them a moment and ask again.
                    let offset = snapshots[id]?.session.serverOffset ?? 0
                    if offset > offsetAtLastResync && offsetAtLastResync >= 0 { resyncsInARow = 0 }
                    offsetAtLastResync = offset
                    resyncsInARow += 1
                    if resyncsInARow > 3 { return RowEnd(state: .failed, message: message) }
                    try? await Task.sleep(for: .milliseconds(250 * resyncsInARow))
                    continue
                case .unauthorized:
                    refusedKeyMessage = "the server refused the API key (\(message))"
                    return RowEnd(state: .failed, message: "the server refused the API key: \(message)")
                case .expired:
                    return RowEnd(state: .expired, message: "the server no longer knows this upload session (\(message)); retry to start again from byte 0")
                case .fileChanged:
                    return RowEnd(state: .fileChanged, message: message)
                case .fail:
                    return RowEnd(state: .failed, message: message)
                case .retry, .stalled:
                    resyncsInARow = 0
                    let offset = snapshots[id]?.session.serverOffset ?? 0
                    if offset > offsetAtLastFailure && offsetAtLastFailure >= 0 { retriesUsed = 0 }
                    offsetAtLastFailure = offset
                    retriesUsed += 1
                    if retriesUsed > options.retry.maxRetries {
                        return RowEnd(state: .failed, message: "gave up after \(options.retry.maxRetries) retries: \(message)")
                    }
                    var retryAfter: Double?
                    if case .retry(let seconds) = reaction { retryAfter = seconds }
                    let delay = options.retry.delay(beforeRetry: retriesUsed, retryAfter: retryAfter)
                    update(id) {
                        $0.session.state = reaction == .stalled ? .stalled : .retrying
                        $0.retryAt = Date().addingTimeInterval(delay)
                        $0.retryNumber = retriesUsed
                    }
                    do { try persist(id) } catch { return error as? RowEnd }
                    do { try await backoff(id: id, seconds: delay) } catch { return stopEnd(id: id) }
                }
            } catch {
                return RowEnd(state: .failed, message: "\(error)")
            }
        }
    }

    /// Waits out a backoff in short steps, so that a retry by hand (R) ends it early.
    private func backoff(id: String, seconds: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if pendingImmediateRetry.remove(id) != nil { return }
            try await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
    }

    private enum AttemptResult {
        case handle(String)
        case mediaID(String)
    }

    /// One attempt: for a session, create it or ask its offset, then send the rest;
    /// for `/media`, post the whole file.
    private func attempt(id: String, control: TransferControl) async throws -> AttemptResult {
        guard let session = snapshots[id]?.session else { throw CancellationError() }
        let generation = (attemptGeneration[id] ?? 0) + 1
        attemptGeneration[id] = generation
        update(id) { $0.session.attempts += 1; $0.retryAt = nil }
        switch session.route {
        case .media:
            update(id) { $0.session.state = .uploading; $0.transferredBytes = 0 }
            try persist(id)
            let mediaID = try await api.uploadMedia(
                path: session.path, fileName: session.fileName, mimeType: session.mimeType, length: session.fileSize,
                control: control, progress: progressReporter(id: id, generation: generation, base: 0))
            return .mediaID(mediaID)
        case .resumable:
            var remoteId: String
            var offset: Int64
            if let existing = session.remoteId {
                remoteId = existing
                offset = try await api.serverOffset(sessionID: existing, control: control)
                guard offset <= session.fileSize else { throw abandonSession(id: id, serverHolds: offset) }
                update(id) { $0.session.serverOffset = offset; $0.transferredBytes = offset }
            } else {
                update(id) { $0.session.state = .creating }
                try persist(id)
                remoteId = try await api.createSession(fileName: session.fileName, length: session.fileSize,
                                                       mimeType: session.mimeType, control: control)
                offset = 0
                update(id) { $0.session.remoteId = remoteId; $0.session.serverOffset = 0 }
                logger.info("session \(id) created as \(MediaAPI.redacted(remoteId))")
            }
            update(id) { $0.session.state = .uploading }
            try persist(id)
            while true {
                let remaining = session.fileSize - offset
                let length = options.chunkSize.map { min($0, remaining) } ?? remaining
                let reply = try await api.uploadChunk(
                    sessionID: remoteId, path: session.path, offset: offset, length: length, control: control,
                    progress: progressReporter(id: id, generation: generation, base: offset))
                if case .handle(let handle) = reply { return .handle(handle) }
                let confirmed = try await api.serverOffset(sessionID: remoteId, control: control)
                guard confirmed > offset || (remaining == 0 && confirmed == offset) else {
                    throw APIFailure.unexpectedReply("the server accepted a chunk at \(offset) but holds \(confirmed) bytes")
                }
                guard confirmed <= session.fileSize else { throw abandonSession(id: id, serverHolds: confirmed) }
                if remaining == 0 {
                    throw APIFailure.unexpectedReply("the server holds every byte but gave no handle")
                }
                offset = confirmed
                update(id) { $0.session.serverOffset = confirmed; $0.transferredBytes = confirmed }
                try persist(id)
            }
        }
    }

    /// The server claims more bytes than the file has: nothing sensible can follow on
    /// that session (the rest would have a negative length). Forgets it, so that a
    /// retry starts a new one from byte 0, and fails the row saying so.
    private func abandonSession(id: String, serverHolds offset: Int64) -> RowEnd {
        let size = snapshots[id]?.session.fileSize ?? 0
        update(id) {
            $0.session.remoteId = nil
            $0.session.serverOffset = 0
            $0.transferredBytes = 0
        }
        return RowEnd(state: .failed, message: "the server holds \(offset) bytes of a \(size)-byte file; retry to start a new session from byte 0")
    }

    /// A progress callback for one attempt; runs on the transport's thread and hops
    /// to the actor. Late calls from an ended attempt are ignored.
    private nonisolated func progressReporter(id: String, generation: Int, base: Int64) -> @Sendable (Int64) -> Void {
        { sent in
            Task { await self.noteProgress(id: id, generation: generation, transferred: base + sent) }
        }
    }

    private func noteProgress(id: String, generation: Int, transferred: Int64) {
        guard attemptGeneration[id] == generation, snapshots[id]?.session.state == .uploading else { return }
        update(id) { $0.transferredBytes = transferred }
    }

    private func finishRun(id: String, end: RowEnd?) {
        running[id] = nil
        let stop = stopRequests.removeValue(forKey: id)
        pendingImmediateRetry.remove(id)
        if stop == .cancel {
            forget([id])
        } else if let end, end.state != .done {
            update(id) {
                $0.session.state = end.state
                if let message = end.message { $0.session.lastError = message }
                $0.retryAt = nil
                $0.transferredBytes = $0.session.route == .media && end.state == .paused ? 0 : $0.session.serverOffset
            }
            if var snapshot = snapshots[id] { persistOrFail(&snapshot) }
            logger.info("session \(id) ended \(end.state.rawValue): \(end.message ?? "")")
        }
        schedule()
        settle(id)
    }

    // MARK: - State plumbing

    private func update(_ id: String, _ change: (inout UploadSnapshot) -> Void) {
        guard var snapshot = snapshots[id] else { return }
        change(&snapshot)
        publish(snapshot)
    }

    private func publish(_ snapshot: UploadSnapshot) {
        snapshots[snapshot.id] = snapshot
        noteQueued(snapshot)
        emit(.updated(snapshot))
        settle(snapshot.id)
    }

    private func emit(_ event: UploaderEvent) {
        for continuation in observers.values { continuation.yield(event) }
    }

    /// Tells the waiters for `id` whether it is still active; wakes those left with none.
    private func settle(_ id: String) {
        let active = isActive(id)
        for (key, var waiter) in settleWaiters where waiter.ids.contains(id) {
            if active {
                waiter.active.insert(id)
                settleWaiters[key] = waiter
            } else {
                waiter.active.remove(id)
                if waiter.active.isEmpty {
                    settleWaiters[key] = nil
                    waiter.continuation.resume()
                } else {
                    settleWaiters[key] = waiter
                }
            }
        }
    }

    /// Writes the session's current state; a journal that cannot be written ends the
    /// run, since going on would upload bytes a crash could not account for.
    private func persist(_ id: String) throws {
        guard var snapshot = snapshots[id] else { return }
        snapshot.session.updatedAt = Date()
        snapshots[id] = snapshot
        do { try journal.save(snapshot.session) } catch {
            throw RowEnd(state: .failed, message: error.description)
        }
    }

    /// Writes a session whose run has ended; a failed write is shown on the row.
    private func persistOrFail(_ snapshot: inout UploadSnapshot) {
        snapshot.session.updatedAt = Date()
        do { try journal.save(snapshot.session) } catch {
            snapshot.session.lastError = error.description
            logger.error("\(error.description)")
        }
        snapshots[snapshot.id] = snapshot
    }
}

/// SHA-256 of whole files on one background thread outside Swift's cooperative pool,
/// so hashing runs beside the transfer without starving other tasks.
enum BackgroundHashing {
    private static let queue = DispatchQueue(label: "mediaup.hashing", qos: .utility)

    static func sha256(ofFileAt path: String) async -> Result<String, FileProblem> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(FileProblem) -> String in try SHA256Digest.ofFile(at: path) })
            }
        }
    }
}
