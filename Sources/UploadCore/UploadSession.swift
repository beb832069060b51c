import Foundation
import GRDB

/// Where a session stands. Stored in the journal as its raw value.
public enum UploadState: String, Sendable, Codable, CaseIterable {
    /// Waiting for a free transfer slot.
    case queued
    /// Asking the server for a session (resumable) or about to post (media).
    case creating
    /// Bytes are moving.
    case uploading
    /// Waiting to try again after a failure (see `UploadSnapshot.retryAt`).
    case retrying
    /// The last attempt moved no byte for the stall timeout; a retry follows.
    case stalled
    /// Stopped by the user, or found unfinished at start; resumable.
    case paused
    /// Finished: the server gave a handle or a media id.
    case done
    /// Stopped for a reason that a retry by hand may fix (see `lastError`).
    case failed
    /// The server no longer knows the session; a retry starts again from byte 0.
    case expired
    /// The file changed (size, times, device or inode) after the upload began.
    case fileChanged

    /// Whether a transfer is running or scheduled to run for this state.
    public var isActive: Bool {
        switch self {
        case .queued, .creating, .uploading, .retrying, .stalled: true
        case .paused, .done, .failed, .expired, .fileChanged: false
        }
    }

    /// Whether the upload ended in failure.
    public var isFailure: Bool { self == .failed || self == .expired || self == .fileChanged }
}

/// Why a session is paused: the next start of the screen resumes what a quit paused,
/// and leaves what the user paused. Stored in the journal as its raw value.
public enum PauseReason: String, Sendable, Codable {
    /// Paused by hand (`p`, `P`, or a row of a journal before the reason was kept).
    case user
    /// Paused by quitting (or a signal), or left active by a run that crashed.
    case quit
}

/// One upload of one file version, as the journal keeps it. The offset is the one the
/// server last confirmed, never an estimate. The API key is never stored.
public struct UploadSession: Sendable, Equatable, Identifiable, Codable {
    /// Local id, stable across runs (what `mediaup resume ID` takes).
    public var id: String
    /// Absolute path of the file.
    public var path: String
    public var fileName: String
    public var fileSize: Int64
    /// Modification time (ns since the epoch) of the file version being uploaded.
    public var fileModified: Int64
    /// Device, inode and change time (ns) of that version; nil in rows of older journals.
    public var fileDevice: Int64?
    public var fileInode: Int64?
    public var fileChanged: Int64?
    /// The server (base URL) and account (`ServerAccount.fingerprint`) the session was
    /// made for; nil in rows of older journals.
    public var baseURL: String?
    public var account: String?
    public var mimeType: String
    public var route: UploadRoute
    /// The server's session id exactly as received (`upload:<token>?sig=…`).
    public var remoteID: String?
    /// Bytes the server confirmed holding.
    public var serverOffset: Int64
    public var state: UploadState
    /// Why a paused session is paused; nil (read as by hand) in rows of older journals.
    public var pausedBy: PauseReason?
    /// The handle of a finished resumable upload.
    public var handle: String?
    /// The media id of a finished `/media` upload.
    public var mediaID: String?
    /// SHA-256 (hex) of the file as uploaded.
    public var sha256: String?
    /// Transfer attempts so far, over all runs.
    public var attempts: Int
    /// The last error in full (message, code, trace id).
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// When the handle or media id arrived; nil before, and in rows of older journals
    /// that were not done.
    public var issuedAt: Date?
    /// When mediaup deleted the media on the server.
    public var deletedAt: Date?
    /// Earlier ids of this row that a refresh replaced, oldest first.
    public var history: [IssuedMedia]
    /// While queued: the process that queued it (its ``ProcessLock`` token). A queued row
    /// holds no session lock, so this tells a live process's queue from a crashed one's.
    public var owner: String?

    public init(
        id: String = UploadSession.newID(), path: String, fileSize: Int64, fileModified: Int64,
        mimeType: String, route: UploadRoute, now: Date = Date()
    ) {
        self.id = id
        self.path = path
        self.fileName = FilePaths.fileName(path)
        self.fileSize = fileSize
        self.fileModified = fileModified
        self.fileDevice = nil
        self.fileInode = nil
        self.fileChanged = nil
        self.baseURL = nil
        self.account = nil
        self.mimeType = mimeType
        self.route = route
        self.remoteID = nil
        self.serverOffset = 0
        self.state = .queued
        self.pausedBy = nil
        self.handle = nil
        self.mediaID = nil
        self.sha256 = nil
        self.attempts = 0
        self.lastError = nil
        self.createdAt = now
        self.updatedAt = now
        self.issuedAt = nil
        self.deletedAt = nil
        self.history = []
        self.owner = nil
    }

    /// A short random id: 12 hex digits. One draw of the system's generator (a syscall
    /// each): a catalogue makes three ids per file.
    public static func newID() -> String {
        let digits = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
        return String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// The file version this session uploads.
    public var identity: FileIdentity {
        get {
            FileIdentity(size: fileSize, modifiedNanoseconds: fileModified, device: fileDevice, inode: fileInode, changedNanoseconds: fileChanged)
        }
        set {
            fileSize = newValue.size
            fileModified = newValue.modifiedNanoseconds
            fileDevice = newValue.device
            fileInode = newValue.inode
            fileChanged = newValue.changedNanoseconds
        }
    }

    /// Whether the session may go on with `account`: it was made for it, or by a version
    /// that did not record one (only a resume by hand reaches those).
    public func mayContinue(with account: ServerAccount) -> Bool {
        self.account == nil || (baseURL == account.baseURL && self.account == account.fingerprint)
    }

    /// How long a finished upload of an unchanged file is reported instead of repeated:
    /// sending the same files again after a crash then only finishes what was left.
    /// Older results are not reused: a media id lasts 30 days.
    public static let reuseWindow: TimeInterval = 24 * 3600

    /// Whether this session is done, within `reuseWindow` before `now`, and its media was
    /// not deleted since.
    public func isRecentlyDone(now: Date) -> Bool {
        state == .done && deletedAt == nil && updatedAt > now.addingTimeInterval(-Self.reuseWindow)
    }
}

// StatementColumnConvertible: read straight from SQLite's column, not through a
// DatabaseValue and the generic metadata that costs per value.
extension UploadState: DatabaseValueConvertible, StatementColumnConvertible {}
extension UploadRoute: DatabaseValueConvertible, StatementColumnConvertible {}
extension PauseReason: DatabaseValueConvertible, StatementColumnConvertible {}

/// Rows are read and written by hand, not through Codable: GRDB's Codable path cost
/// more than SQLite itself when a catalogue of 2,000 small files went up
/// (bench/RESULTS.md, comparison 8).
extension UploadSession: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session"

    /// The table's columns, in the order of `databaseValues`. They keep the journal's first
    /// spelling (`remoteId`, `mediaId`), so journals written by earlier versions open as they are.
    static let databaseColumnNames = [
        "id", "path", "fileName", "fileSize", "fileModified", "mimeType", "route", "remoteId", "serverOffset",
        "state", "handle", "mediaId", "sha256", "attempts", "lastError", "createdAt", "updatedAt",
        "fileDevice", "fileInode", "fileChanged", "baseURL", "account", "pausedBy", "issuedAt", "deletedAt", "history", "owner",
    ]

    /// Rows are read by position, in the order of `databaseColumnNames`: a lookup by name
    /// per column and row was a tenth of the start-up with 10,000 sessions.
    static let selectAllColumns = "SELECT " + databaseColumnNames.joined(separator: ", ") + " FROM " + databaseTableName
    public static var databaseSelection: [any SQLSelectable] { databaseColumnNames.map { Column($0) } }

    /// The row's values, in the order of `databaseColumnNames`.
    var databaseValues: [(any DatabaseValueConvertible)?] {
        [
            id, path, fileName, fileSize, fileModified, mimeType, route, remoteID, serverOffset,
            state, handle, mediaID, sha256, attempts, lastError, UTCText.string(createdAt), UTCText.string(updatedAt),
            fileDevice, fileInode, fileChanged, baseURL, account, pausedBy, issuedAt.map { UTCText.string($0) },
            deletedAt.map { UTCText.string($0) }, IssuedMedia.journalText(history), owner,
        ]
    }

    /// Reads a row's columns one after another, in the order of `databaseColumnNames`.
    private struct ColumnReader {
        let row: Row
        var index = 0

        mutating func next<Value: DatabaseValueConvertible & StatementColumnConvertible>() throws -> Value {
            defer { index += 1 }
            return try row.decode(atIndex: index)
        }

        /// A date column in GRDB's text form, read without GRDB's Calendar (see
        /// `UTCText`); any other form GRDB reads as usual.
        mutating func nextDate() throws -> Date {
            defer { index += 1 }
            if let text = try? row.decode(String.self, atIndex: index), let date = UTCText.date(from: text) { return date }
            return try row.decode(atIndex: index)
        }

        mutating func nextOptionalDate() throws -> Date? {
            defer { index += 1 }
            guard let text = try row.decode(String?.self, atIndex: index) else { return nil }
            return try UTCText.date(from: text) ?? row.decode(atIndex: index)
        }
    }

    /// Reads a row selected as `selectAllColumns` (or `databaseSelection`) selects it.
    public init(row: Row) throws {
        var column = ColumnReader(row: row)
        id = try column.next()
        path = try column.next()
        fileName = try column.next()
        fileSize = try column.next()
        fileModified = try column.next()
        mimeType = try column.next()
        route = try column.next()
        remoteID = try column.next()
        serverOffset = try column.next()
        state = try column.next()
        handle = try column.next()
        mediaID = try column.next()
        sha256 = try column.next()
        attempts = try column.next()
        lastError = try column.next()
        createdAt = try column.nextDate()
        updatedAt = try column.nextDate()
        fileDevice = try column.next()
        fileInode = try column.next()
        fileChanged = try column.next()
        baseURL = try column.next()
        account = try column.next()
        pausedBy = try column.next()
        issuedAt = try column.nextOptionalDate()
        deletedAt = try column.nextOptionalDate()
        history = IssuedMedia.history(fromJournalText: try column.next())
        owner = try column.next()
    }

    public func encode(to container: inout PersistenceContainer) throws {
        for (name, value) in zip(Self.databaseColumnNames, databaseValues) { container[name] = value }
    }
}

/// A session plus what only a running process knows: bytes in flight, when the next
/// retry comes, whether another process holds it. This is what a screen draws.
public struct UploadSnapshot: Sendable, Equatable, Identifiable {
    public var session: UploadSession
    /// Bytes the server holds plus those sent in the running request.
    public var transferredBytes: Int64
    /// When the next attempt starts, while `retrying` or `stalled`.
    public var retryAt: Date?
    /// Which retry is next (1-based), and the limit.
    public var retryNumber: Int
    public var retryLimit: Int
    /// Why the wait before the next retry is not the one the server asked for (its
    /// `Retry-After` was over ``RetryPolicy/longestRetryAfter``), in words.
    public var retryNote: String?
    /// Another mediaup process is uploading this session now.
    public var activeElsewhere: Bool

    public var id: String { session.id }

    public init(
        session: UploadSession, transferredBytes: Int64? = nil, retryAt: Date? = nil,
        retryNumber: Int = 0, retryLimit: Int = 0, activeElsewhere: Bool = false
    ) {
        self.session = session
        self.transferredBytes = transferredBytes ?? session.serverOffset
        self.retryAt = retryAt
        self.retryNumber = retryNumber
        self.retryLimit = retryLimit
        self.activeElsewhere = activeElsewhere
    }

    /// This session queued again by a resume. An expired session, or one whose file
    /// changed (whether or not it failed for that), starts again from byte 0 with a new
    /// server session; the run then adopts the file as it is now and judges it again.
    func queuedForResume() -> UploadSnapshot {
        var snapshot = self
        let changed = FileIdentity.read(path: session.path).map { !$0.isSameVersion(as: session.identity) }
        if session.state == .expired || session.state == .fileChanged || (try? changed.get()) == true {
            snapshot.session.remoteID = nil
            snapshot.session.serverOffset = 0
        }
        snapshot.session.state = .queued
        snapshot.session.pausedBy = nil
        snapshot.session.lastError = nil
        snapshot.transferredBytes = snapshot.session.serverOffset
        snapshot.retryAt = nil
        return snapshot
    }

    /// Fraction done, 0...1.
    public var fraction: Double {
        // Done is whole, whichever process sent the bytes.
        guard session.fileSize > 0, session.state != .done else { return session.state == .done ? 1 : 0 }
        return min(1, Double(transferredBytes) / Double(session.fileSize))
    }
}
