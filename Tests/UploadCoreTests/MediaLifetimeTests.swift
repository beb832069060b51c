import Foundation
import GRDB
import TestSupport
import Testing

@testable import UploadCore

@Suite("Media ids after the upload: lifetime, reuse, refresh, export")
struct MediaLifetimeTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func doneMedia(issued: Date?, path: String = "/data/menu.png") -> UploadSession {
        var session = UploadSession(path: path, fileSize: 10, fileModified: 1, mimeType: "image/png", route: .media)
        session.state = .done
        session.mediaID = "1234567890"
        session.issuedAt = issued
        return session
    }

    @Test("a media id lives 30 days from its issue; a deleted one is deleted; a handle only has an age")
    func lifeText() {
        let day = 86_400.0
        #expect(Self.doneMedia(issued: Self.now.addingTimeInterval(-18 * day)).lifeText(now: Self.now) == "expires in 12 d")
        #expect(Self.doneMedia(issued: Self.now.addingTimeInterval(-30 * day + 5 * 3600)).lifeText(now: Self.now) == "expires in 5 h")
        #expect(Self.doneMedia(issued: Self.now.addingTimeInterval(-30 * day + 40 * 60)).lifeText(now: Self.now) == "expires in 40 min")
        #expect(Self.doneMedia(issued: Self.now.addingTimeInterval(-30 * day)).remoteStanding(now: Self.now) == .expired)
        #expect(Self.doneMedia(issued: Self.now.addingTimeInterval(-31 * day)).lifeText(now: Self.now) == "expired")
        var deleted = Self.doneMedia(issued: Self.now)
        deleted.deletedAt = Self.now
        #expect(deleted.lifeText(now: Self.now) == "deleted" && deleted.remoteStanding(now: Self.now) == .deleted)
        var handle = UploadSession(path: "/data/h.png", fileSize: 10, fileModified: 1, mimeType: "image/png", route: .resumable)
        handle.state = .done
        handle.handle = "4::aGk=:ARb"
        handle.issuedAt = Self.now.addingTimeInterval(-3 * day - 60)
        #expect(handle.expiresAt == nil && handle.lifeText(now: Self.now) == "issued 3 d ago")
        #expect(handle.remoteStanding(now: Self.now) == .live)
        handle.state = .paused
        #expect(handle.lifeText(now: Self.now) == nil && handle.remoteStanding(now: Self.now) == nil)
    }

    @Test("issue and deletion times and the history of ids survive the journal; markDeleted marks every row of the id")
    func journalKeepsThem() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-lifetime")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var session = Self.doneMedia(issued: Self.now)
        session.history = [IssuedMedia(mediaID: "111", issuedAt: Self.now.addingTimeInterval(-86_400 * 25))]
        try Journal(stateDirectory: directory).save(session)
        let journal = try Journal(stateDirectory: directory)
        let stored = try #require(try journal.session(id: session.id))
        #expect(stored.issuedAt == session.issuedAt && stored.deletedAt == nil && stored.history == session.history)
        #expect(try journal.markDeleted(mediaID: "1234567890", at: Self.now) == 1)
        #expect(try journal.markDeleted(mediaID: "1234567890", at: Self.now) == 0, "already deleted")
        #expect(try journal.session(id: session.id)?.deletedAt == Self.now)
    }

    @Test("a journal from before ids were dated: done rows take their last write as issue time, others none")
    func migration() throws {
        let directory = try TemporaryFolder.make(prefix: "mediaup-lifetime")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var done = Self.doneMedia(issued: nil)
        done.updatedAt = Self.now
        var paused = Self.doneMedia(issued: nil, path: "/data/other.png")
        paused.state = .paused
        paused.mediaID = nil
        let journal = try Journal(stateDirectory: directory)
        try journal.save(done)
        try journal.save(paused)
        // Back to the schema before: the step's columns and the indexes on them gone, the
        // steps that made them unrecorded.
        let queue = try DatabaseQueue(path: directory + "/" + Journal.fileName)
        try queue.write { db in
            try db.execute(sql: "DROP INDEX session_by_live_content")
            for column in ["issuedAt", "deletedAt", "history"] { try db.execute(sql: "ALTER TABLE session DROP COLUMN \(column)") }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v5', 'v7')")
        }
        try queue.close()
        let reopened = try Journal(stateDirectory: directory)
        #expect(try reopened.session(id: done.id)?.issuedAt == Self.now)
        #expect(try reopened.session(id: paused.id)?.issuedAt == nil)
        #expect(try reopened.session(id: done.id)?.history == [])
    }

    @Test("by /media the same bytes under another name reuse the live id; not with reuse off, deleted, near expiry or other bytes")
    func reuse() async throws {
        let bed = try await TestBed()
        defer { Task { await bed.stop() } }
        let first = bed.makeFile("menu.png", size: 40_000)
        let uploader = try bed.makeUploader(computesSHA256: false)
        let added = try await uploader.add(path: first, route: .media)
        let done = try #require(await uploader.waitUntilSettled([added.snapshot.id]).first?.session)
        #expect(done.state == .done && done.issuedAt != nil)
        #expect(done.sha256 == (try bed.sha256(first)), "a media upload's bytes are always hashed")

        let copy = (first as NSString).deletingLastPathComponent + "/copy-of-menu.png"
        try FileManager.default.copyItem(atPath: first, toPath: copy)
        let reused = try await uploader.add(path: copy, route: .media)
        #expect(reused == .reused(reused.snapshot) && reused.snapshot.session.mediaID == done.mediaID)
        #expect(await bed.server.mediaUploads().count == 1, "nothing sent")

        /// Whether `copy` is sent by `uploader`; a sent copy's row is removed again, so
        /// that only `done` can be reused.
        func sendsCopy(_ uploader: Uploader, route: UploadRoute = .media) async throws -> Bool {
            let outcome = try await uploader.add(path: copy, route: route)
            guard case .queued(let queued, _) = outcome else { return false }
            #expect(await uploader.waitUntilSettled([queued.id]).first?.session.state == .done)
            try bed.journal.delete(ids: [queued.id])
            return true
        }
        #expect(try await sendsCopy(bed.makeUploader(), route: .resumable), "a handle is never reused for a media id")
        #expect(try await sendsCopy(bed.makeUploader(reusesEarlierUploads: false)), "--force")
        let other = bed.makeFile("other.png", size: 40_000, magic: Magic.png + [1])
        guard case .queued(let otherRow, _) = try await bed.makeUploader().add(path: other, route: .media) else {
            Issue.record("other bytes of the same size were reused")
            return
        }
        _ = await uploader.waitUntilSettled([otherRow.id])

        let kept = try #require(try bed.journal.session(id: done.id))
        var dying = kept
        dying.issuedAt = Date().addingTimeInterval(-UploadSession.mediaIDLifetime + 3600)
        try bed.journal.save(dying)
        #expect(try await sendsCopy(bed.makeUploader()), "an id with an hour left is not reused")
        var deleted = kept
        deleted.deletedAt = Date()
        try bed.journal.save(deleted)
        #expect(try await sendsCopy(bed.makeUploader()), "a deleted id is not reused")
        try bed.journal.save(kept)
        #expect(try await !sendsCopy(bed.makeUploader()), "restored, it is reused again")
    }

    /// poster.png sent by `/media` through a new uploader: the file, the uploader, the done session.
    static func sentPoster(_ bed: TestBed) async throws -> (file: String, uploader: Uploader, done: UploadSession) {
        let file = bed.makeFile("poster.png", size: 30_000)
        let uploader = try bed.makeUploader()
        let added = try await uploader.add(path: file, route: .media)
        return (file, uploader, try #require(await uploader.waitUntilSettled([added.snapshot.id]).first?.session))
    }

    @Test("refresh sends the file again into the same row: a new id, the old one in its history; a changed file is refused")
    func refresh() async throws {
        let bed = try await TestBed()
        defer { Task { await bed.stop() } }
        let (file, uploader, done) = try await Self.sentPoster(bed)
        let oldID = try #require(done.mediaID)

        let queued = try await uploader.refresh(id: done.id)
        #expect(queued.id == done.id && queued.session.state == .queued && queued.session.mediaID == oldID, "the old id stays until a new one comes")
        let refreshed = try #require(await uploader.waitUntilSettled([done.id]).first?.session)
        #expect(refreshed.state == .done && refreshed.mediaID != nil && refreshed.mediaID != oldID)
        #expect(refreshed.history.map(\.mediaID) == [oldID])
        // The journal keeps times to the millisecond.
        #expect(abs(try #require(refreshed.history.first?.issuedAt).timeIntervalSince(try #require(done.issuedAt))) < 0.001)
        #expect(try #require(refreshed.issuedAt) > (try #require(done.issuedAt)))
        #expect(try bed.journal.session(id: done.id)?.history.map(\.mediaID) == [oldID], "in the journal too")
        #expect(await bed.server.mediaUploads().count == 2)
        #expect(await bed.server.mediaUploads().last?.sha256 == (try bed.sha256(file)))

        try Data("changed".utf8).write(to: URL(fileURLWithPath: file))
        await #expect(throws: FileProblem.self) { try await uploader.refresh(id: done.id) }
        let resumable = try await uploader.add(path: bed.makeFile("h.png", size: 1000), route: .resumable)
        _ = await uploader.waitUntilSettled([resumable.snapshot.id])
        await #expect(throws: FileProblem.self) { try await uploader.refresh(id: resumable.snapshot.id) }
    }

    @Test("a refresh that fails keeps the row done with its working id; a touched file with the same bytes is refreshed")
    func refreshThatFails() async throws {
        let bed = try await TestBed()
        defer { Task { await bed.stop() } }
        let (file, _, done) = try await Self.sentPoster(bed)

        // Nothing listens there: every attempt fails at once.
        let offline = try bed.makeUploader(retries: 0, baseURL: "http://127.0.0.1:9")
        _ = try await offline.loadJournal()
        _ = try await offline.refresh(id: done.id)
        let failed = try #require(await offline.waitUntilSettled([done.id]).first?.session)
        #expect(failed.state == .done && failed.mediaID == done.mediaID && failed.history.isEmpty)
        #expect(failed.lastError?.hasPrefix("the refresh did not finish (") == true, "\(failed.lastError ?? "")")
        #expect(try bed.journal.session(id: done.id)?.mediaID == done.mediaID, "in the journal too")

        // Touched: another mtime, the same bytes.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: file)
        let fresh = try bed.makeUploader()
        _ = try await fresh.loadJournal()
        _ = try await fresh.refresh(id: done.id)
        let refreshed = try #require(await fresh.waitUntilSettled([done.id]).first?.session)
        #expect(refreshed.state == .done && refreshed.mediaID != done.mediaID && refreshed.history.map(\.mediaID) == [done.mediaID])
    }

    @Test("the export: a header, one record per finished upload oldest first, quoted where CSV needs it; JSON lines alike")
    func export() throws {
        var old = Self.doneMedia(issued: Self.now.addingTimeInterval(-40 * 86_400), path: "/data/a,\"b\"\r\nc.png")
        old.sha256 = "ab12"
        var handle = UploadSession(path: "/data/h.pdf", fileSize: 99, fileModified: 1, mimeType: "application/pdf", route: .resumable)
        handle.state = .done
        handle.handle = "4::aGk=:ARb"
        handle.issuedAt = Self.now
        var unfinished = handle
        unfinished.id = "unfinished"
        unfinished.state = .paused
        let csv = MediaExport.text(of: [handle, unfinished, old], format: .csv, now: Self.now)
        #expect(
            csv == """
                file,bytes,sha256,route,media_id,handle,issued_at,expires_at,state\r
                "/data/a,""b""\r
                c.png",10,ab12,media,1234567890,,2026-12-06T08:00:00.000Z,2027-01-05T08:00:00.000Z,expired\r
                /data/h.pdf,99,,resumable,,4::aGk=:ARb,2027-01-15T08:00:00.000Z,,live\r

                """)
        let json = MediaExport.text(of: [handle, old], format: .json, now: Self.now).split(separator: "\n")
        #expect(json.count == 2)
        #expect(
            json.last
                == #"{"file":"/data/h.pdf","bytes":99,"sha256":null,"route":"resumable","media_id":null,"handle":"4::aGk=:ARb","issued_at":"2027-01-15T08:00:00.000Z","expires_at":null,"state":"live"}"#
        )
    }
}
