import Foundation
import HTTPTypes
import Hummingbird
import Logging
import UploadCore

/// All mutable sandbox state: sessions, media, the request log and fault bookkeeping.
actor SandboxState {
    final class Session {
        let token: String
        let signature: String
        let fileName: String
        let fileType: String
        let declared: Int64
        let path: String
        let handle: String
        /// Wall-clock time, so it survives a restart.
        let createdAt: Date
        let sequence: Int
        var received: Int64 = 0
        /// The offset the last `GET` answered: what a client was told the session holds.
        var reported: Int64 = 0
        var complete = false
        var sha256: String?
        var sink: FileSink?
        var totalBody: Int64 = 0
        var uploadRequests = 0
        var expiredByHand = false
        var generation = 0
        var firedResets: Set<Int64> = []
        var firedStalls: Set<Int64> = []
        /// Offsets drawn for ``SandboxConfiguration/randomResetsPerSession`` (not persisted).
        var randomResets: [Int64] = []

        init(
            token: String, signature: String, fileName: String, fileType: String, declared: Int64,
            path: String, handle: String, createdAt: Date, sequence: Int
        ) {
            self.token = token
            self.signature = signature
            self.fileName = fileName
            self.fileType = fileType
            self.declared = declared
            self.path = path
            self.handle = handle
            self.createdAt = createdAt
            self.sequence = sequence
        }

        var id: String { "upload:\(token)?sig=\(signature)" }

        var stored: StoredSession {
            StoredSession(
                version: StoredSession.currentVersion, token: token, fileName: fileName, fileType: fileType,
                declaredLength: declared, createdAt: createdAt.timeIntervalSince1970, sequence: sequence,
                dataFile: (path as NSString).lastPathComponent, handle: handle, complete: complete,
                sha256: sha256, expired: expiredByHand)
        }
    }

    let configuration: SandboxConfiguration
    private let store: SandboxStore
    private let logger: Logger
    private let secret: [UInt8]
    private var sessionsByToken: [String: Session] = [:]
    private var sessionOrder: [String] = []
    private var nextSessionSequence = 1
    private var media: [SandboxMedia] = []
    /// Each media upload's place in `media`, by id: a catalogue of thousands is looked up
    /// by id once per upload and per `GET`.
    private var mediaPosition: [String: Int] = [:]
    /// Each media upload's creation order, by id (kept in its record).
    private var mediaSequence: [String: Int] = [:]
    /// Error answers to `GET /<media id>` so far (``SandboxConfiguration/mediaLookupBlockAfterErrors``).
    private var mediaLookupErrors = 0
    private var nextMediaSequence = 1
    private var log: [SandboxRequestRecord] = []
    private var createsSeen = 0
    private var stallsFired = 0
    private var refusals: [SandboxOffsetRefusal] = []
    private var random: SeededRandom

    /// A sandbox state that goes on from what `store` found in the storage directory.
    init(configuration: SandboxConfiguration, store: SandboxStore, loaded: LoadedSandboxState) {
        self.configuration = configuration
        self.store = store
        self.logger = store.logger
        self.secret = loaded.secret
        self.random = SeededRandom(seed: configuration.faultSeed ?? UInt64.random(in: 0...UInt64.max))
        for item in loaded.sessions {
            let r = item.record
            let session = Session(
                token: r.token, signature: Self.signature(secret: loaded.secret, token: r.token),
                fileName: r.fileName, fileType: r.fileType, declared: r.declaredLength,
                path: store.path(r.dataFile), handle: r.handle,
                createdAt: Date(timeIntervalSince1970: r.createdAt), sequence: r.sequence)
            session.received = item.received
            // The data file decides: a sandbox killed after the last byte but before
            // it wrote the completion still has a complete session (digest pending).
            session.complete = item.received == r.declaredLength
            session.sha256 = session.complete ? r.sha256 : nil
            session.expiredByHand = r.expired
            sessionsByToken[r.token] = session
            sessionOrder.append(r.token)
            nextSessionSequence = max(nextSessionSequence, r.sequence + 1)
        }
        for item in loaded.media {
            mediaPosition[item.media.id] = media.count
            media.append(item.media)
            mediaSequence[item.media.id] = item.sequence
            nextMediaSequence = max(nextMediaSequence, item.sequence + 1)
        }
    }

    /// Writes a session's record; a failure is logged, not fatal (the session lives on in memory).
    private func persist(_ s: Session) {
        do {
            try store.save(s.stored)
        } catch {
            logger.error("sandbox: cannot store session", metadata: ["error": "\(error)"])
        }
    }

    /// The signature for a token: a keyed SHA-256 (per-server secret + token), base64url, truncated.
    nonisolated func signature(for token: String) -> String {
        Self.signature(secret: secret, token: token)
    }

    private static func signature(secret: [UInt8], token: String) -> String {
        let hasher = SHA256Digest()
        hasher.update(secret + Array(token.utf8))
        let digest = hasher.bytes()
        return "AR" + String(base64URL(digest).prefix(30))
    }

    // MARK: Hooks for the oddity middleware

    /// Drops the last `bytes` bytes a session holds (an incomplete one), as a server that
    /// lost them; returns the bytes it holds afterwards.
    func dropTail(token: String, bytes: Int64) -> Int64 {
        guard let s = sessionsByToken[token] else { return 0 }
        guard !s.complete, bytes > 0 else { return s.received }
        let keep = max(0, s.received - bytes)
        s.sink?.close()
        s.sink = nil
        _ = truncate(s.path, off_t(keep))
        s.received = keep
        return keep
    }

    /// Bytes a session holds.
    func received(token: String) -> Int64 { sessionsByToken[token]?.received ?? 0 }

    /// Makes one session answer as expired from now on.
    func expire(token: String) {
        guard let s = sessionsByToken[token] else { return }
        s.expiredByHand = true
        persist(s)
    }

    // MARK: Sessions

    /// Counts a create; true when it falls within `rateLimitedCreates`.
    func shouldRateLimitCreate() -> Bool {
        createsSeen += 1
        return createsSeen <= configuration.rateLimitedCreates
    }

    func createSession(fileName: String, fileType: String, length: Int64) throws -> String {
        let token = base64URL(Array("1:attachment:\(UUID().uuidString.lowercased())".utf8))
        let signature = signature(for: token)
        let sequence = nextSessionSequence
        let path = store.path("session-\(sequence)-\(token.suffix(12))")
        let sink = try FileSink(path: path, truncate: true)
        let typeTag = Data(fileType.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let handle = "4::\(typeTag):AR" + base64URL(randomBytes(45))
        let session = Session(
            token: token, signature: signature, fileName: fileName, fileType: fileType,
            declared: length, path: path, handle: handle, createdAt: Date(), sequence: sequence)
        // Stored before the id is handed out: an id the client holds is never lost to a restart.
        do {
            try store.save(session.stored)
        } catch {
            sink.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        nextSessionSequence += 1
        if length > 1 {
            session.randomResets = (0..<configuration.randomResetsPerSession).map { _ in
                Int64.random(in: 1..<length, using: &random)
            }
        }
        session.sink = sink
        sessionsByToken[token] = session
        sessionOrder.append(token)
        return session.id
    }

    private func isExpired(_ s: Session) -> Bool {
        if s.expiredByHand { return true }
        if let lifetime = configuration.sessionLifetime {
            return Date().timeIntervalSince(s.createdAt) > lifetime
        }
        return false
    }

    private func liveSession(_ token: String) throws -> Session {
        guard let s = sessionsByToken[token], !isExpired(s) else { throw APIError.sessionGone }
        return s
    }

    /// `GET /upload:…`: the id and how many bytes are stored.
    func status(token: String) throws -> (id: String, received: Int64) {
        let s = try liveSession(token)
        s.reported = s.received
        return (s.id, s.received)
    }

    /// Checks a `POST /upload:…` before its body is read.
    func beginUpload(token: String, offset: Int64, contentLength: Int64?) throws -> UploadStart {
        let s = try liveSession(token)
        s.uploadRequests += 1
        guard offset == s.received else {
            refusals.append(SandboxOffsetRefusal(sent: offset, held: s.received, reported: s.reported))
            throw APIError(.badRequest, "file_offset mismatch: server has \(s.received)")
        }
        if let contentLength, offset + contentLength > s.declared {
            throw APIError(.badRequest, "body exceeds file_length: \(offset) + \(contentLength) > \(s.declared)")
        }
        if s.complete && (contentLength ?? 0) == 0 {
            return .alreadyComplete(handle: s.handle)
        }
        s.generation += 1
        return .proceed(generation: s.generation)
    }

    /// Stores one buffer of a session's body, stopping at the first fault offset it crosses.
    /// `fresh` is false when `buffer` is the rest of a buffer already counted (after a stall).
    func append(token: String, generation: Int, buffer: ByteBuffer, fresh: Bool) throws -> AppendOutcome {
        guard let s = sessionsByToken[token] else { return .superseded }
        if fresh { s.totalBody += Int64(buffer.readableBytes) }
        guard s.generation == generation else { return .superseded }
        var buffer = buffer
        let room = s.declared - s.received
        let available = Int64(buffer.readableBytes)
        var take = min(room, available)

        // The first not yet fired fault offset this buffer would reach.
        let from = s.received, to = s.received + take
        let reset = (configuration.resetAtOffsets + s.randomResets)
            .filter { $0 > from && $0 <= to && !s.firedResets.contains($0) }.min()
        let stallsLeft = configuration.stallLimit.map { stallsFired < $0 } ?? true
        let stall =
            !stallsLeft
            ? nil
            : configuration.stallAtOffsets
                .filter { $0 > from && $0 <= to && !s.firedStalls.contains($0) }.min()
        var fault: AppendOutcome?
        switch (reset, stall) {
        case (let r?, let st?) where st < r:
            take = st - from
            s.firedStalls.insert(st)
            stallsFired += 1
            fault = .stall(at: st, rest: ByteBuffer())
        case (let r?, _):
            take = r - from
            s.firedResets.insert(r)
            fault = .reset(at: r)
        case (nil, let st?):
            take = st - from
            s.firedStalls.insert(st)
            stallsFired += 1
            fault = .stall(at: st, rest: ByteBuffer())
        case (nil, nil):
            break
        }

        if take > 0 {
            guard let slice = buffer.readSlice(length: Int(take)) else { return .overflow }
            if configuration.keepsBytes {
                if s.sink == nil {
                    // Restored from disk, or its file was closed at stop: append to what is there.
                    s.sink = try FileSink(path: s.path, truncate: false)
                }
                try slice.withUnsafeReadableBytes { try s.sink?.write($0) }
            }
            s.received += take
            if s.received == s.declared {
                s.complete = true
                s.sink?.close()
                s.sink = nil
                persist(s)
            }
        }
        switch fault {
        case .stall(let at, _)?:
            return .stall(at: at, rest: buffer)
        case let other?:
            return other
        case nil:
            return available > take ? .overflow : .stored
        }
    }

    func snapshot(token: String) -> UploadSnapshot? {
        guard let s = sessionsByToken[token] else { return nil }
        return UploadSnapshot(
            id: s.id, received: s.received, declared: s.declared,
            handle: s.complete ? s.handle : nil, path: s.path)
    }

    /// Tokens and data files of complete sessions not hashed yet.
    func completeSessionsWithoutDigest() -> [(token: String, path: String)] {
        guard configuration.keepsBytes else { return [] }
        return sessionOrder.compactMap { sessionsByToken[$0] }.filter { $0.complete && $0.sha256 == nil }.map { ($0.token, $0.path) }
    }

    func setDigest(token: String, sha256: String) {
        guard let s = sessionsByToken[token] else { return }
        s.sha256 = sha256
        persist(s)
    }

    func expireAll() {
        for token in sessionOrder {
            guard let s = sessionsByToken[token], !s.expiredByHand else { continue }
            s.expiredByHand = true
            persist(s)
        }
    }

    func allSessions() -> [SandboxSession] {
        sessionOrder.compactMap { sessionsByToken[$0] }.map { s in
            SandboxSession(
                id: s.id, fileName: s.fileName, fileType: s.fileType, declaredLength: s.declared,
                receivedBytes: s.received, handle: s.complete ? s.handle : nil, sha256: s.sha256,
                path: s.path, totalBodyBytesReceived: s.totalBody, uploadRequests: s.uploadRequests,
                isExpired: isExpired(s))
        }
    }

    func closeAllFiles() {
        for s in sessionsByToken.values {
            s.sink?.close()
            s.sink = nil
        }
    }

    // MARK: Media

    func nextMediaID() -> String {
        // Meta's media ids are long decimal numbers.
        while true {
            let id = String(UInt64.random(in: 1_000_000_000_000_000...9_999_999_999_999_999))
            if mediaPosition[id] == nil { return id }
        }
    }

    func addMedia(_ m: SandboxMedia) {
        mediaPosition[m.id] = media.count
        media.append(m)
        mediaSequence[m.id] = nextMediaSequence
        nextMediaSequence += 1
        persist(m)
    }

    private func persist(_ m: SandboxMedia) {
        let record = StoredMedia(
            version: StoredMedia.currentVersion, id: m.id, fileName: m.fileName, type: m.type, length: m.length,
            sha256: m.sha256, messagingProduct: m.messagingProduct, sequence: mediaSequence[m.id] ?? 0,
            dataFile: (m.path as NSString).lastPathComponent, uploadedAt: m.uploadedAt.timeIntervalSince1970,
            deletedAt: m.isDeleted ? Date().timeIntervalSince1970 : nil)
        do {
            try store.save(record)
        } catch {
            logger.error("sandbox: cannot store media upload", metadata: ["id": "\(m.id)", "error": "\(error)"])
        }
    }

    /// The media upload `id` names, unless it is unknown, deleted or older than
    /// ``SandboxConfiguration/mediaLifetime``: then Meta's "does not exist" error.
    func liveMedia(_ id: String) throws -> SandboxMedia {
        guard let m = mediaPosition[id].map({ media[$0] }), !m.isDeleted else { throw APIError.noSuchObject(id) }
        if let lifetime = configuration.mediaLifetime, Date().timeIntervalSince(m.uploadedAt) > lifetime {
            throw APIError.noSuchObject(id)
        }
        return m
    }

    /// `DELETE /<media id>`: marks it deleted (kept so, across restarts) and removes its bytes.
    func deleteMedia(_ id: String) throws {
        let m = try liveMedia(id)
        guard let index = mediaPosition[m.id] else { throw APIError.noSuchObject(id) }
        media[index].isDeleted = true
        persist(media[index])
        try? FileManager.default.removeItem(atPath: m.path)
    }

    /// Counts an error answer to `GET /<media id>`.
    func countMediaLookupError() { mediaLookupErrors += 1 }

    /// Whether `GET /<media id>` is blocked, as 360dialog blocks it after too many errors.
    func isMediaLookupBlocked() -> Bool {
        configuration.mediaLookupBlockAfterErrors.map { mediaLookupErrors >= $0 } ?? false
    }

    /// The `hash` of a download URL for `mid` valid until `expiry` (seconds since 1970):
    /// the expiry, then a keyed SHA-256 of both, so neither can be changed.
    nonisolated func mediaURLHash(mid: String, expiry: Int64) -> String {
        "\(expiry)-" + Self.signature(secret: secret, token: "media-url:\(mid):\(expiry)").dropFirst(2)
    }

    /// Whether `hash` is this server's for `mid` and has not expired.
    nonisolated func isValidMediaURLHash(mid: String, hash: String) -> Bool {
        guard let dash = hash.firstIndex(of: "-"), let expiry = Int64(hash[..<dash]) else { return false }
        return hash == mediaURLHash(mid: mid, expiry: expiry) && Double(expiry) >= Date().timeIntervalSince1970
    }

    func allMedia() -> [SandboxMedia] { media }

    // MARK: Faults and request log

    /// Whether to answer an upload request 503 (``SandboxConfiguration/failRate``).
    func shouldInjectFailure() -> Bool {
        configuration.failRate > 0 && Double.random(in: 0..<1, using: &random) < configuration.failRate
    }

    func offsetRefusals() -> [SandboxOffsetRefusal] { refusals }

    /// Totals since start (`GET /sandbox/stats`): what arrived, what was kept, and the
    /// requests whose `file_offset` was refused, so a client's re-sent bytes can be counted.
    func statistics() -> [String: JSONValue] {
        let all = Array(sessionsByToken.values)
        return [
            "sessions": .number(Int64(all.count)),
            "sessions_complete": .number(Int64(all.filter(\.complete).count)),
            "session_bytes_stored": .number(all.reduce(0) { $0 + $1.received }),
            "session_body_bytes_received": .number(all.reduce(0) { $0 + $1.totalBody }),
            "upload_requests": .number(Int64(all.reduce(0) { $0 + $1.uploadRequests })),
            "offset_refusals": .number(Int64(refusals.count)),
            "offset_refusals_below_server_offset": .number(Int64(refusals.filter { $0.sent < $0.held }.count)),
            "offset_refusals_below_reported_offset": .number(Int64(refusals.filter(\.isBelowReported).count)),
            "media_uploads": .number(Int64(media.count)),
            "media_lookup_errors": .number(Int64(mediaLookupErrors)),
            "media_bytes_stored": .number(media.reduce(0) { $0 + $1.length }),
        ]
    }
    func stallCount() -> Int { stallsFired }

    func record(_ r: SandboxRequestRecord) { log.append(r) }
    func requestLog() -> [SandboxRequestRecord] { log }
}
