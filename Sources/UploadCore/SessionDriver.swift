import Foundation
import Logging

/// Drives one run of one session: claims its lock, checks the file, makes attempts,
/// backs off and resyncs, and reports every change to its host, which owns the state.
struct SessionDriver: Sendable {
    /// How a run ended, when not done.
    struct End: Error {
        var state: UploadState
        var message: String?

        /// The row as the end leaves it: its state and why, at the offset the server
        /// confirmed (a paused `/media` upload keeps none).
        func apply(to snapshot: inout UploadSnapshot) {
            snapshot.session.state = state
            if let message { snapshot.session.lastError = message }
            snapshot.retryAt = nil
            snapshot.transferredBytes = snapshot.session.route == .media && state == .paused ? 0 : snapshot.session.serverOffset
        }
    }

    private enum AttemptResult {
        case handle(String)
        case mediaID(String)
    }

    /// How many more times a pause asks the server's offset while it holds less than it
    /// acknowledged.
    static let offsetSettleTries = 12

    let id: String
    let control: TransferControl
    let api: MediaAPI
    let journal: Journal
    let stateDirectory: String
    let options: Uploader.Options
    let logger: Logger

    /// The whole run, from the lock to `finishRun`.
    func drive(host: isolated any SessionDriverHost) async {
        do {
            try await claim(host: host)
        } catch {
            host.finishRun(id: id, end: error as? End)
            return
        }
        let end = await runClaimed(host: host)
        if end?.state == .paused && host.stopRequested(id) == .pause { await recordOffsetAfterPause(host: host) }
        host.finishRun(id: id, end: end)
    }

    /// After a pause, asks the server (briefly) how much it holds, so the row and the
    /// journal say where the upload stands. Best effort: the next resume asks again.
    private func recordOffsetAfterPause(host: isolated any SessionDriverHost) async {
        guard let session = host.snapshot(id: id)?.session, session.route == .resumable, let remoteID = session.remoteID else { return }
        var quick = api
        quick.limits = TransferLimits(connectTimeout: 2, stallTimeout: 3)
        // A fresh task: this one is cancelled, and the question must still go out. The
        // reset connection sends nothing more, but the server may still be storing bytes
        // it had acknowledged (what progress showed): ask until it holds them, or for at
        // most about 3 s (a server may also drop them), so the row shows where it settled.
        let acknowledged = host.snapshot(id: id)?.transferredBytes ?? 0
        let asked = await Task { [quick] () -> Int64? in
            var last = try? await quick.serverOffset(sessionID: remoteID, control: TransferControl())
            for _ in 0..<Self.offsetSettleTries {
                guard let offset = last, offset < acknowledged else { break }
                try? await Task.sleep(for: .milliseconds(250))
                if let next = try? await quick.serverOffset(sessionID: remoteID, control: TransferControl()) { last = next }
            }
            return last
        }.value
        if let offset = asked, offset <= session.fileSize {
            host.update(id) { $0.session.serverOffset = offset }
        }
    }

    /// Claims the session's lock (the host keeps it until the run's last write), waiting
    /// while another process holds it, then reloads the session from the journal in case
    /// that process advanced it.
    private func claim(host: isolated any SessionDriverHost) async throws {
        while true {
            switch SessionLock.tryAcquire(sessionID: id, stateDirectory: stateDirectory) {
            case .acquired(let lock):
                host.holdLock(id, lock)
                let stored = try? journal.session(id: id)
                host.update(id) { snapshot in
                    if let stored {
                        let state = snapshot.session.state
                        snapshot.session = stored
                        snapshot.session.state = stored.state == .done ? .done : state
                    }
                    snapshot.activeElsewhere = false
                }
                if host.snapshot(id: id)?.session.state == .done { throw End(state: .done, message: nil) }
                return
            case .heldElsewhere:
                if host.snapshot(id: id)?.activeElsewhere == false {
                    host.update(id) { $0.activeElsewhere = true }
                }
                do {
                    try await Task.sleep(for: .seconds(options.takeOverPollInterval))
                } catch {
                    throw stopEnd(host: host)
                }
            case .failed(let message):
                throw End(state: .failed, message: message)
            }
        }
    }

    /// The state a stop request leaves the row in.
    private func stopEnd(host: isolated any SessionDriverHost) -> End {
        End(state: host.stopRequested(id) == .cancel ? .queued : .paused, message: nil)
    }

    /// Runs attempts until the session is done or must stop. Returns how it ended
    /// (nil when done and already published).
    private func runClaimed(host: isolated any SessionDriverHost) async -> End? {
        guard var session = host.snapshot(id: id)?.session else { return nil }
        // The file must still be the version the session began with, unless nothing of
        // it was sent: then the session adopts the file as it is now, judged anew.
        switch FileIdentity.read(path: session.path) {
        case .failure(let problem):
            return End(state: .failed, message: problem.message)
        case .success(let identity) where !identity.isSameVersion(as: session.identity):
            guard session.remoteID == nil && session.serverOffset == 0 else {
                return End(
                    state: .fileChanged,
                    message: "\(session.fileName) changed on disk since its upload began (size, times or inode); nothing more was sent")
            }
            let head: [UInt8]
            do { head = try FileIdentity.readHead(path: session.path, count: MediaRules.sniffLength) } catch {
                return End(state: .failed, message: error.message)
            }
            let sendable: SendableFile
            do { sendable = try options.judge(path: session.path, head: head, size: identity.size, route: session.route) } catch {
                return End(state: .failed, message: error.message)
            }
            session.identity = identity
            session.mimeType = sendable.type.mime
            host.update(id) { [session] in
                $0.session.identity = session.identity
                $0.session.mimeType = session.mimeType
                $0.transferredBytes = 0
            }
            do { try host.persist(id) } catch { return error }
        case .success: break
        }
        let path = session.path
        // The digest of the bytes the transport reads to send, shared by every attempt
        // and chunk of this run; bytes an earlier run sent it reads again, from the same
        // descriptor, before the first request. A media id's bytes are always hashed: a
        // later upload of the same bytes reuses the id, and those files are at most 100 MB.
        let digest = options.computesSHA256 || session.route == .media ? SentBytesDigest() : nil

        var retries = RetryCounter(maxRetries: options.retry.maxRetries)
        while true {
            do {
                try Task.checkCancellation()
                // Before every attempt too: a file rewritten during a backoff must not be continued.
                guard isUnchanged(path: path, host: host) else {
                    return End(state: .fileChanged, message: "\(session.fileName) changed on disk during its upload; nothing more was sent")
                }
                let result = try await attempt(host: host, digest: digest)
                guard isUnchanged(path: path, host: host) else {
                    return End(
                        state: .fileChanged,
                        message: "\(session.fileName) changed on disk while it was being sent; the server's copy may be mixed. Retry to send it again"
                    )
                }
                // Only a digest that took every byte of the file, in order, is the file's.
                let sha256 = digest?.hexDigest(ifLength: session.fileSize)
                host.update(id) {
                    switch result {
                    case .handle(let handle): $0.session.handle = handle
                    case .mediaID(let mediaID):
                        // A refresh: the id it replaces goes into the row's history.
                        if let earlier = $0.session.mediaID, earlier != mediaID {
                            $0.session.history.append(IssuedMedia(mediaID: earlier, issuedAt: $0.session.issuedAt ?? $0.session.updatedAt))
                        }
                        $0.session.mediaID = mediaID
                    }
                    $0.session.sha256 = sha256
                    $0.session.issuedAt = Date()
                    $0.session.deletedAt = nil
                    $0.session.serverOffset = $0.session.fileSize
                    $0.transferredBytes = $0.session.fileSize
                    $0.session.state = .done
                    $0.session.lastError = nil
                    $0.retryAt = nil
                }
                // The handle is real whatever the journal says: a failed write must not
                // turn the row back to failed. It gets one more try, then is logged; a
                // later run asks the server, which answers with the handle again.
                do { try host.persist(id) } catch {
                    do { try host.persist(id) } catch {
                        logger.error("session \(id) is done, but the journal could not record it: \(error.message ?? "")")
                    }
                }
                logger.info("done \(id) \(session.fileName)")
                return nil
            } catch let end as End {
                return end
            } catch is CancellationError {
                return stopEnd(host: host)
            } catch let failure as APIFailure {
                let message = failure.description
                let reaction = failure.reaction
                if reaction != .stopped {
                    logger.notice("session \(id) attempt failed: \(message)")
                    host.update(id) { $0.session.lastError = message }
                }
                let offset = host.snapshot(id: id)?.session.serverOffset ?? 0
                switch reaction {
                case .stopped:
                    return stopEnd(host: host)
                case .resync:
                    // Give bytes of an earlier connection a moment, and ask again.
                    guard let resyncs = retries.noteResync(serverOffset: offset) else { return End(state: .failed, message: message) }
                    try? await Task.sleep(for: .milliseconds(250 * resyncs))
                    continue
                case .unauthorized:
                    let credential = api.endpoint.provider == .meta ? "access token" : "API key"
                    host.haltRun("the server refused the \(credential) (\(message))")
                    return End(state: .failed, message: "the server refused the \(credential): \(message)")
                case .halt:
                    host.haltRun(message)
                    return End(state: .failed, message: message)
                case .expired:
                    // Asking that session again can only be refused again: forget it, so
                    // the next run (a rerun of upload or resume, or R) begins anew.
                    forgetSession(host: host)
                    return End(
                        state: .expired,
                        message: "the server no longer knows this upload session (\(message)); the next run starts a new session from byte 0")
                case .fileChanged:
                    return End(state: .fileChanged, message: message)
                case .fail:
                    return End(state: .failed, message: message)
                case .retry, .stalled:
                    guard let retryNumber = retries.noteFailure(serverOffset: offset) else {
                        return End(state: .failed, message: "gave up after \(options.retry.maxRetries) retries: \(message)")
                    }
                    var retryAfter: Double?
                    if case .retry(let seconds) = reaction { retryAfter = seconds }
                    let delay = options.retry.delay(beforeRetry: retryNumber, retryAfter: retryAfter)
                    // A Retry-After over the cap: the row says both, so nobody takes the wait for a bug.
                    let note = retryAfter.flatMap {
                        $0 > delay ? "the server asked for \(Int($0.rounded(.up))) s; waiting \(Int(delay.rounded(.up))) s" : nil
                    }
                    logger.debug(
                        "session \(id) retry \(retryNumber)/\(options.retry.maxRetries) in \(Int(delay.rounded(.up))) s\(note.map { " (\($0))" } ?? "")"
                    )
                    host.update(id) {
                        $0.session.state = reaction == .stalled ? .stalled : .retrying
                        $0.retryAt = Date().addingTimeInterval(delay)
                        $0.retryNumber = retryNumber
                        $0.retryNote = note
                    }
                    do { try host.persist(id) } catch { return error }
                    do { try await backoff(seconds: delay, host: host) } catch { return stopEnd(host: host) }
                }
            } catch {
                return End(state: .failed, message: "\(error)")
            }
        }
    }

    /// Asks the server what it holds under `mediaID` and ends the run as failed when its
    /// SHA-256 or size is not that of the bytes sent. A lookup that fails ends it too:
    /// the id exists, but nothing says it holds the file.
    private func verify(_ mediaID: String, of session: UploadSession, sentDigest: SentBytesDigest?) async throws {
        let held: RemoteMedia
        do { held = try await api.mediaInfo(id: mediaID, control: control) } catch {
            throw End(state: .failed, message: "uploaded as media id \(mediaID), but GET /\(mediaID) to verify it failed: \(error.description)")
        }
        let sent = sentDigest?.hexDigest(ifLength: session.fileSize)
        guard held.fileSize == session.fileSize, let sent, held.sha256.lowercased() == sent else {
            throw End(
                state: .failed,
                message: "the server holds different bytes: media id \(mediaID) has \(held.fileSize) bytes with SHA-256 \(held.sha256); "
                    + "the file has \(session.fileSize) bytes with SHA-256 \(sent ?? "unknown"); `mediaup media delete \(mediaID)` removes that copy")
        }
    }

    /// Whether the file at `path` is still the version the session uploads.
    private func isUnchanged(path: String, host: isolated any SessionDriverHost) -> Bool {
        guard case .success(let identity) = FileIdentity.read(path: path), let session = host.snapshot(id: id)?.session else { return false }
        return identity.isSameVersion(as: session.identity)
    }

    /// Waits out a backoff in short steps, so that a retry by hand (R) ends it early.
    private func backoff(seconds: Double, host: isolated any SessionDriverHost) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if host.takeRetryNow(id) { return }
            try await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
    }

    /// One attempt: for a session, create it or ask its offset, then send the rest;
    /// for `/media`, post the whole file.
    private func attempt(host: isolated any SessionDriverHost, digest: SentBytesDigest?) async throws -> AttemptResult {
        guard let session = host.snapshot(id: id)?.session else { throw CancellationError() }
        let attempt = host.beginAttempt(id)
        host.update(id) {
            $0.session.attempts += 1; $0.retryAt = nil; $0.retryNote = nil
        }
        switch session.route {
        case .media:
            host.update(id) {
                $0.session.state = .uploading; $0.transferredBytes = 0
            }
            try host.persist(id)
            let mediaID = try await api.uploadMedia(
                path: session.path, fileName: session.fileName, mimeType: session.mimeType, length: session.fileSize,
                version: session.identity, digest: digest, control: control, progress: progressReporter(host: host, attempt: attempt, base: 0))
            if options.verifiesMedia { try await verify(mediaID, of: session, sentDigest: digest) }
            return .mediaID(mediaID)
        case .resumable:
            var remoteID: String
            var offset: Int64
            if let existing = session.remoteID {
                remoteID = existing
                offset = try await api.serverOffset(sessionID: existing, control: control)
                guard offset <= session.fileSize else { throw abandonSession(serverHolds: offset, host: host) }
                host.update(id) {
                    $0.session.serverOffset = offset; $0.transferredBytes = offset
                }
            } else {
                host.update(id) { $0.session.state = .creating }
                try host.persist(id)
                remoteID = try await api.createSession(
                    fileName: session.fileName, length: session.fileSize,
                    mimeType: session.mimeType, control: control)
                offset = 0
                host.update(id) { [remoteID] in
                    $0.session.remoteID = remoteID; $0.session.serverOffset = 0
                }
                logger.info("session \(id) created as \(MediaAPI.redacted(remoteID))")
            }
            host.update(id) { $0.session.state = .uploading }
            try host.persist(id)
            while true {
                let remaining = session.fileSize - offset
                let length = options.chunkSize.map { min($0, remaining) } ?? remaining
                let reply = try await api.uploadChunk(
                    sessionID: remoteID, path: session.path, offset: offset, length: length, version: session.identity, digest: digest,
                    control: control,
                    progress: progressReporter(host: host, attempt: attempt, base: offset))
                if case .handle(let handle) = reply { return .handle(handle) }
                let confirmed = try await api.serverOffset(sessionID: remoteID, control: control)
                guard confirmed > offset || (remaining == 0 && confirmed == offset) else {
                    throw APIFailure.unexpectedReply("the server accepted a chunk at \(offset) but holds \(confirmed) bytes")
                }
                guard confirmed <= session.fileSize else { throw abandonSession(serverHolds: confirmed, host: host) }
                if remaining == 0 {
                    // Even the empty POST at the end gave no handle: that session will not
                    // give one, so the retry sends the file again in a new session.
                    forgetSession(host: host)
                    try host.persist(id)
                    throw APIFailure.unexpectedReply("the server holds every byte but gave no handle; sending again in a new session")
                }
                offset = confirmed
                host.update(id) {
                    $0.session.serverOffset = confirmed; $0.transferredBytes = confirmed
                }
                try host.persist(id)
            }
        }
    }

    /// The server claims more bytes than the file has: nothing sensible can follow on
    /// that session (the rest would have a negative length). Forgets it, so that a
    /// retry starts a new one from byte 0, and fails the row saying so.
    private func abandonSession(serverHolds offset: Int64, host: isolated any SessionDriverHost) -> End {
        let size = host.snapshot(id: id)?.session.fileSize ?? 0
        forgetSession(host: host)
        return End(state: .failed, message: "the server holds \(offset) bytes of a \(size)-byte file; retry to start a new session from byte 0")
    }

    /// Drops the row's server session, so that the next attempt creates a new one.
    private func forgetSession(host: isolated any SessionDriverHost) {
        host.update(id) {
            $0.session.remoteID = nil
            $0.session.serverOffset = 0
            $0.transferredBytes = 0
        }
    }

    /// A progress callback for one attempt; runs on the transport's thread and hops
    /// to the host. Late calls from an ended attempt are ignored there.
    private func progressReporter(host: any SessionDriverHost, attempt: Int, base: Int64) -> @Sendable (Int64) -> Void {
        { [id] sent in
            Task { await host.noteProgress(id: id, attempt: attempt, transferred: base + sent) }
        }
    }
}
