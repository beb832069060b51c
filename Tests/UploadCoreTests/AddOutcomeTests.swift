import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

@Suite("Adding a file sent within the day")
struct AddOutcomeTests {
    @Test("a finished unchanged file added again is alreadyDone; another route, a touched file or a day later is queued")
    func finishedWithinTheDay() async throws {
        let bed = try await TestBed()
        defer { Task { await bed.stop() } }
        let file = bed.makeFile("sent.png", size: 50_000)
        let first = try bed.makeUploader()
        let added = try await first.add(path: file, route: .resumable)
        guard case .queued(let queued, _) = added else { Issue.record("a new file must be queued, not \(added)"); return }
        #expect(await first.waitUntilSettled([queued.id]).first?.session.state == .done)

        // A new process: the journal alone decides, nothing is sent.
        let second = try bed.makeUploader()
        let again = try await second.add(path: file, route: .resumable)
        #expect(again == .alreadyDone(again.snapshot))
        #expect(again.snapshot.id == queued.id && again.snapshot.session.state == .done)
        #expect(await second.currentSnapshots().isEmpty, "a file not sent again gets no row")
        #expect(await bed.server.sessions().count == 1)

        // Another route is another upload.
        let media = try await second.add(path: file, route: .media)
        #expect(media == .queued(media.snapshot) && media.snapshot.id != queued.id)
        _ = await second.waitUntilSettled([media.snapshot.id])

        // A day later the result is not reused.
        var stored = try #require(try bed.journal.session(id: queued.id))
        stored.updatedAt = Date().addingTimeInterval(-UploadSession.reuseWindow - 60)
        try bed.journal.save(stored)
        let dayLater = try await second.add(path: file, route: .resumable)
        #expect(dayLater == .queued(dayLater.snapshot) && dayLater.snapshot.id != queued.id)
        _ = await second.waitUntilSettled([dayLater.snapshot.id])

        // The file touched since it was sent is another version: queued.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: file)
        let touched = try await second.add(path: file, route: .resumable)
        #expect(touched == .queued(touched.snapshot) && touched.snapshot.id != dayLater.snapshot.id)
        #expect(await second.waitUntilSettled([touched.snapshot.id]).first?.session.state == .done)
        #expect(try await second.add(path: file, route: .resumable) == .alreadyDone(#require(await second.snapshot(id: touched.snapshot.id))))

        // Once its row is forgotten, it goes again.
        #expect(await second.forgetDone() == 3)
        let forgotten = try await second.add(path: file, route: .resumable)
        #expect(forgotten == .queued(forgotten.snapshot))
        #expect(await second.waitUntilSettled([forgotten.snapshot.id]).first?.session.state == .done)
    }

    @Test("a row an older mediaup left expired with its dead server id is continued in a new session from byte 0")
    func expiredRowOfAnOlderVersion() async throws {
        try await withTestBed({ $0.bytesPerSecond = 2_000_000 }) { bed in
            let file = bed.makeFile("older.png", size: 1_000_000)
            let first = try bed.makeUploader()
            let id = try await first.add(path: file, route: .resumable).snapshot.id
            #expect(await eventually { (await first.snapshot(id: id)?.transferredBytes ?? 0) > 0 })
            try await first.pause(id: id)
            _ = await first.waitUntilSettled([id])
            // What an older mediaup wrote when the server forgot the session: expired, its id kept.
            var stored = try #require(try bed.journal.session(id: id))
            let deadID = try #require(stored.remoteID)
            stored.state = .expired
            try bed.journal.save(stored)
            await bed.server.expireAllSessions()

            let next = try bed.makeUploader()
            let again = try await next.add(path: file, route: .resumable)
            #expect(again == .queued(again.snapshot) && again.snapshot.id == id, "the same row goes on")
            let done = try #require(await next.waitUntilSettled([id]).first)
            #expect(done.session.state == .done)
            #expect(done.session.remoteID != deadID, "a new server session")
            #expect(done.session.attempts <= stored.attempts + 1, "the dead id was not asked again and again")
            let sessions = await bed.server.sessions()
            #expect(sessions.count == 2)
            #expect(sessions.first { $0.id == done.session.remoteID }?.sha256 == (try bed.sha256(file)))
        }
    }
}
