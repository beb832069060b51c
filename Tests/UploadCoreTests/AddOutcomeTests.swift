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
        guard case .queued(let queued) = added else { Issue.record("a new file must be queued, not \(added)"); return }
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
}
