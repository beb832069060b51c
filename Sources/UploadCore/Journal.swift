import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A journal problem, worded for the user.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The crash-safe record of every upload session: SQLite in WAL mode under the state
/// directory. A session is written before its first request and on every state
/// change, so a crash or reboot loses nothing. Several processes may share one
/// journal; `SessionLock` keeps them from uploading the same session at once.
public final class Journal: Sendable {
    /// The journal file's name inside the state directory.
    public static let fileName = "journal.sqlite"

    private let database: DatabaseQueue
    /// Where the journal lives.
    public let path: String
    /// Set when the journal on disk was unreadable and was kept aside: what the user
    /// should be told.
    public let recoveryNotice: String?

    /// Opens (or creates) the journal in `stateDirectory`. A corrupt journal is renamed
    /// aside and a new one started; `recoveryNotice` then says where the old one went.
    public init(stateDirectory: String) throws(JournalError) {
        let existed = FileManager.default.fileExists(atPath: stateDirectory)
        do { try FilePaths.makeDirectories(stateDirectory) } catch {
            throw JournalError("cannot create the state directory \(stateDirectory) (\(error.message))")
        }
        let path = stateDirectory + "/" + Self.fileName
        // The journal holds paths, signed session ids, handles and media ids: the owner's
        // only, whatever the umask. A folder of someone else's choosing (it was there, with
        // no journal) keeps its mode.
        if !existed || FileManager.default.fileExists(atPath: path) { chmod(stateDirectory, 0o700) }
        self.path = path
        do {
            Self.restrict(path: path)
            database = try Self.open(path: path)
            recoveryNotice = nil
        } catch let error as DatabaseError where Self.isCorruption(error) {
            let aside = path + ".corrupt-" + String(Int(Date().timeIntervalSince1970))
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            do {
                Self.restrict(path: path)
                database = try Self.open(path: path)
            } catch {
                throw JournalError("cannot open the journal \(path): \(Self.reason(error, at: path))")
            }
            recoveryNotice = "the journal \(path) was unreadable; it was kept as \(aside) and a new one started"
        } catch {
            throw JournalError("cannot open the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// Creates the journal file 0600 if it is missing, and makes it and its -wal and -shm
    /// 0600 if an older version left them readable by others. SQLite gives -wal and -shm
    /// the journal's own mode.
    private static func restrict(path: String) {
        let fd = createFile(path, mode: 0o600)
        if fd >= 0 { close(fd) }
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    private static func open(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "mediaup.journal"
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // Processes that start together on a fresh folder each try to create the journal:
        // one immediate transaction (which waits out the busy timeout) decides which one
        // does, and the others find the migrations applied.
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                for (identifier, migrate) in migrations where !applied.contains(identifier) {
                    try migrate(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                return .commit
            }
            try enableWAL(db)
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        // Reading the table proves the file is a database, not just a header.
        _ = try queue.read { db in try UploadSession.fetchCount(db) }
        return queue
    }

    /// Switches the journal to WAL once; the mode stays in the file. The switch needs the
    /// file to itself and SQLite does not wait for that, so a busy answer (another process
    /// is opening it too) is tried again for up to the busy timeout.
    private static func enableWAL(_ db: Database) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() != "wal" {
            guard ContinuousClock.now < deadline else {
                throw DatabaseError(resultCode: .SQLITE_BUSY, message: "another process kept the journal busy for 10 s")
            }
            do {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                usleep(10_000)
            }
        }
    }

    /// The schema, in steps; the names are those the journal has recorded (in GRDB's
    /// `grdb_migrations` table) since its first version.
    private static let migrations: [(String, @Sendable (Database) throws -> Void)] = [
        (
            "v1",
            { db in
                try db.create(table: UploadSession.databaseTableName) { table in
                    table.primaryKey("id", .text)
                    table.column("path", .text).notNull()
                    table.column("fileName", .text).notNull()
                    table.column("fileSize", .integer).notNull()
                    table.column("fileModified", .integer).notNull()
                    table.column("mimeType", .text).notNull()
                    table.column("route", .text).notNull()
                    table.column("remoteId", .text)
                    table.column("serverOffset", .integer).notNull()
                    table.column("state", .text).notNull()
                    table.column("handle", .text)
                    table.column("mediaId", .text)
                    table.column("sha256", .text)
                    table.column("attempts", .integer).notNull()
                    table.column("lastError", .text)
                    table.column("createdAt", .datetime).notNull()
                    table.column("updatedAt", .datetime).notNull()
                }
                try db.create(index: "session_by_path", on: UploadSession.databaseTableName, columns: ["path"])
            }
        ),
        (
            // Size and mtime alone miss a file rewritten in place with its times put back.
            "v2",
            { db in
                try db.alter(table: UploadSession.databaseTableName) { table in
                    table.add(column: "fileDevice", .integer)
                    table.add(column: "fileInode", .integer)
                    table.add(column: "fileChanged", .integer)
                }
            }
        ),
        (
            // A handle or session of one server or account means nothing to another.
            "v3",
            { db in
                try db.alter(table: UploadSession.databaseTableName) { table in
                    table.add(column: "baseURL", .text)
                    table.add(column: "account", .text)
                }
            }
        ),
        (
            // A quit's pauses are resumed at the next start, the user's are not.
            "v4",
            { db in
                try db.alter(table: UploadSession.databaseTableName) { table in
                    table.add(column: "pausedBy", .text)
                }
            }
        ),
        (
            // Media ids expire 30 days after they are issued, can be deleted, and are
            // replaced by a refresh; the same bytes are found by their digest.
            "v5",
            { db in
                try db.alter(table: UploadSession.databaseTableName) { table in
                    table.add(column: "issuedAt", .datetime)
                    table.add(column: "deletedAt", .datetime)
                    table.add(column: "history", .text)
                }
                // A finished row was last written when it finished.
                try db.execute(sql: "UPDATE \(UploadSession.databaseTableName) SET issuedAt = updatedAt WHERE state = 'done'")
                try db.create(index: "session_by_content", on: UploadSession.databaseTableName, columns: ["fileSize", "sha256"])
            }
        ),
        (
            // A screen looks once a second for rows other processes added: by creation time.
            // A queued row names the process that queued it.
            "v6",
            { db in
                try db.create(index: "session_by_creation", on: UploadSession.databaseTableName, columns: ["createdAt", "id"])
                try db.alter(table: UploadSession.databaseTableName) { table in table.add(column: "owner", .text) }
            }
        ),
        (
            // Indexes SQLite cannot mistake for one another: with one column each, it took
            // the size index for a file's rows, and a catalogue of same-size files made
            // each lookup a scan of them all; the reuse check scans only live media ids.
            "v7",
            { db in
                let table = UploadSession.databaseTableName
                try db.execute(
                    sql: """
                        CREATE INDEX IF NOT EXISTS session_by_file ON \(table) (path, fileSize, fileModified);
                        DROP INDEX IF EXISTS session_by_path;
                        CREATE INDEX IF NOT EXISTS session_by_live_content ON \(table) (fileSize, sha256)
                            WHERE route = '\(UploadRoute.media.rawValue)' AND state = '\(UploadState.done.rawValue)'
                            AND mediaId IS NOT NULL AND deletedAt IS NULL;
                        DROP INDEX IF EXISTS session_by_content;
                        """)
            }
        ),
    ]

    private static func isCorruption(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
    }

    /// Words for a journal error; `path` is the journal's, to tell a full disk from
    /// other I/O errors.
    private static func reason(_ error: Error, at path: String? = nil) -> String {
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_FULL { return "the disk is full" }
            // Growing the WAL index (-shm) on a full disk fails as a bare "disk I/O error".
            if error.resultCode == .SQLITE_IOERR, let path, isFull(directoryOf: path) {
                return "the disk is full (\(error.message ?? "disk I/O error"))"
            }
            if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_PERM {
                return "not writable (\(error.message ?? "permission denied"))"
            }
            return error.message ?? "\(error.resultCode)"
        }
        return (error as NSError).localizedDescription
    }

    /// Whether the file system holding `path` has no blocks left for ordinary users.
    private static func isFull(directoryOf path: String) -> Bool {
        var info = statvfs()
        return statvfs((path as NSString).deletingLastPathComponent, &info) == 0 && info.f_bavail == 0
    }

    /// One statement, compiled once per connection: saves happen on every state change.
    private static let saveSQL =
        "INSERT OR REPLACE INTO \(UploadSession.databaseTableName) ("
        + UploadSession.databaseColumnNames.joined(separator: ", ") + ") VALUES ("
        + UploadSession.databaseColumnNames.map { _ in "?" }.joined(separator: ", ") + ")"

    // The times are text that sorts as the times do.
    static let sessionsCreatedSinceSQL =
        "\(UploadSession.selectAllColumns) WHERE createdAt >= ? ORDER BY createdAt, id"
    static let allSessionsSQL = "\(UploadSession.selectAllColumns) ORDER BY createdAt, id"
    static let sessionByIDSQL = "\(UploadSession.selectAllColumns) WHERE id = ?"
    private static let sessionByRemoteIDSQL = "\(UploadSession.selectAllColumns) WHERE remoteId = ? LIMIT 1"

    /// The newest unfinished session for a file of this size and mtime by one route, on
    /// one server and account (a row without them, from an older journal, never matches).
    static let unfinishedSessionSQL = """
        \(UploadSession.selectAllColumns)
        WHERE path = ? AND fileSize = ? AND fileModified = ? AND route = ? AND state != '\(UploadState.done.rawValue)'
        AND baseURL = ? AND account = ?
        ORDER BY createdAt DESC LIMIT 1
        """

    /// The newest done session for one version of a file by one route, on one server and
    /// account. A part of the identity a row does not record (a journal before v2)
    /// compares as equal: `IFNULL(a = NULL, 1)`; a missing server or account never does.
    static let finishedSessionSQL = """
        \(UploadSession.selectAllColumns)
        WHERE path = ? AND fileSize = ? AND fileModified = ? AND route = ? AND state = '\(UploadState.done.rawValue)'
        AND baseURL = ? AND account = ?
        AND IFNULL(fileDevice = ?, 1) AND IFNULL(fileInode = ?, 1) AND IFNULL(fileChanged = ?, 1)
        ORDER BY createdAt DESC LIMIT 1
        """

    /// Finished `/media` uploads on one server and account whose media id was issued
    /// after a time and not deleted; `liveMediaSQL` adds the digest.
    private static let liveMediaCondition = """
        fileSize = ? AND route = '\(UploadRoute.media.rawValue)' AND state = '\(UploadState.done.rawValue)' AND mediaId IS NOT NULL
        AND deletedAt IS NULL AND issuedAt > ? AND baseURL = ? AND account = ?
        """
    static let hasLiveMediaSQL = "SELECT EXISTS (SELECT 1 FROM \(UploadSession.databaseTableName) WHERE \(liveMediaCondition))"
    static let liveMediaSQL =
        "\(UploadSession.selectAllColumns) WHERE \(liveMediaCondition) AND sha256 = ? ORDER BY issuedAt DESC LIMIT 1"

    /// Whether any finished `/media` upload of `size` bytes on `account` has a media id
    /// issued after `issuedAfter` and not deleted: only then is a file worth hashing.
    public func hasLiveMedia(size: Int64, account: ServerAccount, issuedAfter: Date) throws(JournalError) -> Bool {
        let arguments: StatementArguments = [size, UTCText.string(issuedAfter), account.baseURL, account.fingerprint]
        do {
            return try database.unsafeRead { db in try Bool.fetchOne(db.cachedStatement(sql: Self.hasLiveMediaSQL), arguments: arguments) ?? false }
        } catch {
            throw JournalError("cannot read the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// The newest such upload whose bytes had this SHA-256.
    public func liveMedia(sha256: String, size: Int64, account: ServerAccount, issuedAfter: Date) throws(JournalError) -> UploadSession? {
        try latestSession(Self.liveMediaSQL, [size, UTCText.string(issuedAfter), account.baseURL, account.fingerprint, sha256])
    }

    /// Records that the media behind `mediaID` was deleted on the server at `date`; returns
    /// how many rows had that id. Done rows are no run's to write, so no lock is taken.
    @discardableResult
    public func markDeleted(mediaID: String, at date: Date = Date()) throws(JournalError) -> Int {
        do {
            return try database.writeWithoutTransaction { db in
                try db.execute(
                    sql: "UPDATE \(UploadSession.databaseTableName) SET deletedAt = ?, updatedAt = ? WHERE mediaId = ? AND deletedAt IS NULL",
                    arguments: [UTCText.string(date), UTCText.string(date), mediaID])
                return db.changesCount
            }
        } catch {
            throw JournalError("cannot write the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// Writes (inserts or replaces) a session.
    public func save(_ session: UploadSession) throws(JournalError) {
        do {
            // One statement is atomic on its own: no BEGIN/COMMIT around it.
            try database.writeWithoutTransaction { db in
                try db.cachedStatement(sql: Self.saveSQL).execute(arguments: StatementArguments(session.databaseValues))
            }
        } catch {
            throw JournalError("cannot write the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// Removes sessions, in one transaction: clearing thousands costs one commit. The ids
    /// go in slices, each within the smallest limit SQLite builds put on the values one
    /// statement may bind (999).
    public func delete(ids: [String]) throws(JournalError) {
        do {
            try database.write { db in
                for start in stride(from: 0, to: ids.count, by: 900) {
                    _ = try UploadSession.deleteAll(db, keys: ids[start..<min(start + 900, ids.count)])
                }
            }
        } catch {
            throw JournalError("cannot write the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// The sessions created at or after `date`, oldest first: what another process added
    /// lately, read without reading the whole journal.
    public func sessions(createdSince date: Date) throws(JournalError) -> [UploadSession] {
        do {
            return try database.read { db in
                try UploadSession.fetchAll(db.cachedStatement(sql: Self.sessionsCreatedSinceSQL), arguments: [UTCText.string(date)])
            }
        } catch {
            throw JournalError("cannot read the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// Every session, oldest first.
    public func allSessions() throws(JournalError) -> [UploadSession] {
        do {
            return try database.read { db in
                try UploadSession.fetchAll(db.cachedStatement(sql: Self.allSessionsSQL))
            }
        } catch {
            throw JournalError("cannot read the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// The session with this local id, or with this server session id.
    public func session(id: String) throws(JournalError) -> UploadSession? {
        do {
            return try database.unsafeRead { db in
                try UploadSession.fetchOne(db.cachedStatement(sql: Self.sessionByIDSQL), arguments: [id])
                    ?? UploadSession.fetchOne(db.cachedStatement(sql: Self.sessionByRemoteIDSQL), arguments: [id])
            }
        } catch {
            throw JournalError("cannot read the journal \(path): \(Self.reason(error, at: path))")
        }
    }

    /// The newest unfinished session for this file (same path, size and mtime) by this
    /// route, on `account`'s server and account. Its device, inode and ctime may differ:
    /// the caller compares them (`FileIdentity.isSameVersion`), since a rewritten file's
    /// session must be failed.
    public func unfinishedSession(
        path: String, identity: FileIdentity, route: UploadRoute, account: ServerAccount
    ) throws(JournalError) -> UploadSession? {
        try latestSession(
            Self.unfinishedSessionSQL, [path, identity.size, identity.modifiedNanoseconds, route, account.baseURL, account.fingerprint])
    }

    /// The newest done session for this version of this file (path, size, mtime, device,
    /// inode and ctime) by `route` on `account`'s server and account, if any.
    public func finishedSession(
        path: String, identity: FileIdentity, route: UploadRoute, account: ServerAccount
    ) throws(JournalError) -> UploadSession? {
        try latestSession(
            Self.finishedSessionSQL,
            [
                path, identity.size, identity.modifiedNanoseconds, route, account.baseURL, account.fingerprint, identity.device, identity.inode,
                identity.changedNanoseconds,
            ])
    }

    private func latestSession(_ sql: String, _ arguments: StatementArguments) throws(JournalError) -> UploadSession? {
        do {
            // A single SELECT sees one consistent state: no read transaction needed.
            return try database.unsafeRead { db in
                try UploadSession.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
            }
        } catch {
            throw JournalError("cannot read the journal \(path): \(Self.reason(error, at: path))")
        }
    }
}

/// open(2) with O_CREAT, where `Journal.open(path:)` does not hide its name.
private func createFile(_ path: String, mode: mode_t) -> Int32 {
    open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)
}
