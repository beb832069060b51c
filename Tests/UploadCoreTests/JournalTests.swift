import Foundation
import GRDB
import TestSupport
import Testing

@testable import UploadCore

@Suite("Journal")
struct JournalTests {
    static let account = ServerAccount(baseURL: "http://127.0.0.1:8360", fingerprint: "0123456789abcdef")

    @Test("sessions survive reopening, and unfinished ones are found by file version")
    func roundTrip() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var session = UploadSession(path: "/data/promo.mp4", fileSize: 100, fileModified: 7, mimeType: "video/mp4", route: .resumable)
        session.remoteID = "upload:abc?sig=x=="
        session.baseURL = Self.account.baseURL
        session.account = Self.account.fingerprint
        session.serverOffset = 40
        session.state = .uploading
        try Journal(stateDirectory: directory).save(session)

        let reopened = try Journal(stateDirectory: directory)
        let stored = try #require(try reopened.allSessions().first)
        #expect(stored.id == session.id && stored.remoteID == session.remoteID && stored.path == session.path)
        #expect(stored.serverOffset == 40 && stored.state == .uploading && stored.fileModified == 7)
        #expect(abs(stored.createdAt.timeIntervalSince(session.createdAt)) < 0.01)
        #expect(try reopened.session(id: "upload:abc?sig=x==")?.id == session.id)
        let identity = FileIdentity(size: 100, modifiedNanoseconds: 7)
        #expect(
            try reopened.unfinishedSession(path: "/data/promo.mp4", identity: identity, route: .resumable, account: Self.account)?.id == session.id)
        #expect(
            try reopened.unfinishedSession(
                path: "/data/promo.mp4", identity: FileIdentity(size: 100, modifiedNanoseconds: 8), route: .resumable, account: Self.account)
                == nil)
        #expect(try reopened.unfinishedSession(path: "/data/promo.mp4", identity: identity, route: .media, account: Self.account) == nil)
        let other = ServerAccount(baseURL: Self.account.baseURL, fingerprint: "fedcba9876543210")
        #expect(try reopened.unfinishedSession(path: "/data/promo.mp4", identity: identity, route: .resumable, account: other) == nil)
        session.state = .done
        try reopened.save(session)
        #expect(try reopened.unfinishedSession(path: "/data/promo.mp4", identity: identity, route: .resumable, account: Self.account) == nil)
        try reopened.delete(ids: [session.id])
        #expect(try reopened.allSessions().isEmpty)
    }

    @Test("a done row without device, inode and ctime (an older journal) compares on size and mtime; one with them on all")
    func identityParts() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(stateDirectory: directory)
        var old = UploadSession(path: "/data/old.pdf", fileSize: 10, fileModified: 5, mimeType: "application/pdf", route: .resumable)
        old.state = .done
        old.baseURL = Self.account.baseURL
        old.account = Self.account.fingerprint
        var new = UploadSession(path: "/data/new.pdf", fileSize: 10, fileModified: 5, mimeType: "application/pdf", route: .resumable)
        new.identity = FileIdentity(size: 10, modifiedNanoseconds: 5, device: 1, inode: 2, changedNanoseconds: 3)
        new.state = .done
        new.baseURL = Self.account.baseURL
        new.account = Self.account.fingerprint
        var unowned = old
        unowned.id = UploadSession.newID()
        unowned.path = "/data/unowned.pdf"
        unowned.baseURL = nil
        unowned.account = nil
        for session in [old, new, unowned] { try journal.save(session) }
        let now = FileIdentity(size: 10, modifiedNanoseconds: 5, device: 1, inode: 2, changedNanoseconds: 3)
        let rewritten = FileIdentity(size: 10, modifiedNanoseconds: 5, device: 1, inode: 2, changedNanoseconds: 4)
        #expect(try journal.finishedSession(path: "/data/old.pdf", identity: rewritten, route: .resumable, account: Self.account)?.id == old.id)
        #expect(try journal.finishedSession(path: "/data/new.pdf", identity: now, route: .resumable, account: Self.account)?.id == new.id)
        #expect(try journal.finishedSession(path: "/data/new.pdf", identity: rewritten, route: .resumable, account: Self.account) == nil)
        // A row from before servers and accounts were recorded is never "already sent".
        #expect(try journal.finishedSession(path: "/data/unowned.pdf", identity: now, route: .resumable, account: Self.account) == nil)
        #expect(try Journal(stateDirectory: directory).session(id: new.id)?.identity == now)
    }

    @Test("deleting more ids than SQLite binds in one statement still deletes them all")
    func deleteMany() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(stateDirectory: directory)
        let kept = UploadSession(path: "/data/kept.png", fileSize: 1, fileModified: 1, mimeType: "image/png", route: .resumable)
        let gone = (0..<3).map { UploadSession(path: "/data/\($0).png", fileSize: 1, fileModified: 1, mimeType: "image/png", route: .resumable) }
        for session in gone + [kept] { try journal.save(session) }
        // Past the values one statement may bind (999, 32,766 or 250,000 by build): the ids
        // go in several statements.
        try journal.delete(ids: (0..<300_000).map { "missing-\($0)" } + gone.map(\.id))
        #expect(try journal.allSessions().map(\.id) == [kept.id])
    }

    @Test("a corrupt journal is kept aside and a new one started")
    func corruptJournal() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        _ = FileManager.default.createFile(atPath: directory + "/" + Journal.fileName, contents: garbage)
        let journal = try Journal(stateDirectory: directory)
        #expect(journal.recoveryNotice?.contains("was unreadable") == true)
        #expect(try journal.allSessions().isEmpty)
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".corrupt-") }
        #expect(kept.count == 1)
        #expect(FileManager.default.contents(atPath: directory + "/" + kept[0]) == garbage)
    }

    @Test("a state directory that is a file is reported with its path")
    func stateDirIsAFile() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data())
        #expect(throws: JournalError.self) { try Journal(stateDirectory: directory + "/file") }
        #expect(throws: JournalError.self) { try Journal(stateDirectory: directory + "/file/sub") }
    }

    @Test("a session lock excludes a second holder until released")
    func sessionLock() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let attempt = SessionLock.tryAcquire(sessionID: "s1", stateDirectory: directory)
            guard case .acquired = attempt else { Issue.record("first claim failed"); return }
            #expect(SessionLock.isHeldElsewhere(sessionID: "s1", stateDirectory: directory))
            #expect(!SessionLock.isHeldElsewhere(sessionID: "s2", stateDirectory: directory))
            withExtendedLifetime(attempt) {}
        }
        #expect(!SessionLock.isHeldElsewhere(sessionID: "s1", stateDirectory: directory))
    }

    @Test("each lookup searches an index, the one made for it, even among thousands of rows of one size")
    func lookupsSearchTheirIndexes() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(stateDirectory: directory)
        for index in 0..<50 {
            var session = UploadSession(
                path: "/data/\(index).png", fileSize: 102_400, fileModified: 1, mimeType: "image/png", route: .media)
            session.state = index % 2 == 0 ? .done : .queued
            session.mediaID = session.state == .done ? "\(index)" : nil
            try journal.save(session)
        }
        let expected = [
            (Journal.unfinishedSessionSQL, "session_by_file"), (Journal.finishedSessionSQL, "session_by_file"),
            (Journal.hasLiveMediaSQL, "session_by_live_content"), (Journal.liveMediaSQL, "session_by_live_content"),
            (Journal.sessionsCreatedSinceSQL, "session_by_creation"), (Journal.sessionByIDSQL, "sqlite_autoindex_session_1"),
        ]
        let queue = try DatabaseQueue(path: directory + "/" + Journal.fileName)
        defer { try? queue.close() }
        try queue.read { db in
            for (sql, index) in expected {
                let unbound = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: unbound).map { $0["detail"] as String }
                #expect(plan.contains { $0.hasPrefix("SEARCH session USING") && $0.contains("INDEX \(index) ") }, "\(plan): \(sql)")
                #expect(!plan.contains { $0.hasPrefix("SCAN session") }, "\(plan): \(sql)")
            }
        }
    }

    @Test("claims on many sessions and processes share one file, each on a byte of its own")
    func sessionLocksShareOneFile() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ids = (0..<200).map { _ in UploadSession.newID() }
        #expect(ids.allSatisfy { $0.count == 12 && $0.allSatisfy { "0123456789abcdef".contains($0) } }, "\(ids.prefix(3))")
        #expect(Set(ids).count == ids.count)
        var held: [SessionLock] = []
        for id in ids {
            guard case .acquired(let lock) = SessionLock.tryAcquire(sessionID: id, stateDirectory: directory) else {
                Issue.record("claim on \(id) failed")
                return
            }
            held.append(lock)
        }
        let process = try #require(try? ProcessLock.take(stateDirectory: directory).get())
        #expect(ids.allSatisfy { SessionLock.isHeldElsewhere(sessionID: $0, stateDirectory: directory) })
        #expect(ProcessLock.isAlive(process.token, stateDirectory: directory))
        #expect(!SessionLock.isHeldElsewhere(sessionID: UploadSession.newID(), stateDirectory: directory))
        #if os(Linux)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/locks") == [SessionLock.sharedFileName])
        // A session id is its own byte; other names land above every session id.
        #expect(SessionLock.offset(of: "00000000002a") == 42)
        #expect(SessionLock.offset(of: "ffffffffffff") == (1 << 48) - 1)
        for name in ["process-" + UUID().uuidString.lowercased(), "s1", "+0000000002a", "00000000002A"] {
            #expect(SessionLock.offset(of: name) >= 1 << 48, "\(name)")
        }
        #endif
        held.removeAll()
        #expect(ids.allSatisfy { !SessionLock.isHeldElsewhere(sessionID: $0, stateDirectory: directory) })
        withExtendedLifetime(process) {}
    }
}

/// Dates are written and read by hand (no DateFormatter, no ICU), in GRDB's own form.
@Suite("Journal dates")
struct JournalDateTests {
    @Test("written in GRDB's form, UTC, to the millisecond, and read back")
    func roundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_795_617_388.2849)
        let text = UTCText.string(date)
        #expect(text == "2026-11-25 14:36:28.284")
        let read = try #require(UTCText.date(from: text))
        #expect(abs(read.timeIntervalSince1970 - 1_795_617_388.284) < 0.0005)
        #expect(UTCText.string(date, separator: "T", suffix: "Z") == "2026-11-25T14:36:28.284Z")
        // GRDB reads the same text to the same instant.
        #expect(Date.fromDatabaseValue(text.databaseValue).map { abs($0.timeIntervalSince(read)) < 0.0005 } == true)
    }

    @Test("other forms are not taken for this one")
    func refusesOtherForms() {
        #expect(UTCText.date(from: "2026-11-25T14:36:28.284") == nil)
        #expect(UTCText.date(from: "2026-11-25 14:36:28") == nil)
        #expect(UTCText.date(from: "2026-1x-25 14:36:28.284") == nil)
    }
}
