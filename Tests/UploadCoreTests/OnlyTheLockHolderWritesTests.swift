import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

/// Two uploaders on one state folder stand for two mediaup processes: each takes its
/// own `flock`, and a second lock in one process is refused just as in another. Only
/// the process uploading a session writes its row; the other may watch it, not change it.
@Suite("Only the lock holder writes a session's row")
struct OnlyTheLockHolderWritesTests {
    /// The first uploader's session of a slow upload, once bytes flow and its row says so.
    private func runningElsewhere(_ bed: TestBed, file: String) async throws -> (first: Uploader, id: String) {
        let first = try bed.makeUploader()
        let id = try await first.add(path: file, route: .resumable).snapshot.id
        try #require(
            await eventually(within: 30) {
                (await first.snapshot(id: id)?.transferredBytes ?? 0) > 0 && (try? bed.journal.session(id: id))?.state == .uploading
            })
        return (first, id)
    }

    @Test("a second process's quit, pause, retry and cancel are refused on a row the first is uploading, and change nothing")
    func othersRefusePauseRetryCancel() async throws {
        try await withTestBed({ $0.bytesPerSecond = 600_000 }) { bed in
            let file = bed.makeFile("shared.png", size: 3_000_000)
            let (first, id) = try await runningElsewhere(bed, file: file)

            let second = try bed.makeUploader()
            try await second.loadJournal()
            #expect(await second.snapshot(id: id)?.activeElsewhere == true)
            await #expect(throws: HeldElsewhere(fileName: "shared.png")) { try await second.pause(id: id) }
            await #expect(throws: HeldElsewhere(fileName: "shared.png")) { try await second.retry(id: id) }
            await #expect(throws: HeldElsewhere(fileName: "shared.png")) { try await second.cancel(id: id) }
            // The screen's quit: pauses what it runs, waits, and exits.
            await second.pauseAllAndWait()

            let row = try #require(try bed.journal.session(id: id), "the row is still there")
            #expect(row.state == .uploading, "not written over as paused")
            #expect(SessionLock.isHeldElsewhere(sessionID: id, stateDirectory: bed.stateDirectory), "the upload's claim is not taken from under it")
            #expect(await second.snapshot(id: id)?.session.state.isActive == true)

            let done = try #require(await first.waitUntilSettled([id]).first)
            #expect(done.session.state == .done)
            let stored = try #require(try bed.journal.session(id: id))
            #expect(stored.state == .done && stored.handle == done.session.handle && stored.handle != nil)
            #expect(await bed.server.sessions().first?.sha256 == (try bed.sha256(file)))
        }
    }

    @Test("a second upload of the same file waits for the lock; stopped while it waits, it writes nothing over the first's row")
    func waitingUploadStoppedWritesNothing() async throws {
        try await withTestBed({ $0.bytesPerSecond = 600_000 }) { bed in
            let file = bed.makeFile("waited.png", size: 3_000_000)
            let (first, id) = try await runningElsewhere(bed, file: file)

            let second = try bed.makeUploader()
            let queued = try await second.add(path: file, route: .resumable).snapshot
            #expect(queued.id == id, "the same session, not a new one")
            #expect(await eventually { await second.snapshot(id: id)?.activeElsewhere == true })
            let before = try #require(try bed.journal.session(id: id))

            // Ctrl-C in the waiting process: it pauses what it runs and ends.
            await second.pauseAllAndWait()
            let settled = try #require(await second.waitUntilSettled([id]).first)
            #expect(settled.activeElsewhere)
            #expect(UploadReport(file: file, snapshot: settled).error?.contains("another mediaup process") == true)
            let after = try #require(try bed.journal.session(id: id))
            #expect(after.state == .uploading, "not written over as paused")
            #expect(after.serverOffset >= before.serverOffset, "the first's offset is not set back")

            #expect(try #require(await first.waitUntilSettled([id]).first).session.state == .done)
            #expect(try bed.journal.session(id: id)?.state == .done)
            #expect(await bed.server.sessions().count == 1)
        }
    }

    @Test("a resume from a screen that read the row before another process finished it changes nothing and sends nothing")
    func staleResumeKeepsTheOthersHandle() async throws {
        try await withTestBed({ $0.bytesPerSecond = 2_000_000 }) { bed in
            let file = bed.makeFile("finished.png", size: 2_000_000)
            let first = try bed.makeUploader()
            let id = try await first.add(path: file, route: .resumable).snapshot.id
            #expect(await eventually { (await first.snapshot(id: id)?.transferredBytes ?? 0) > 0 })
            try await first.pause(id: id)
            #expect(try #require(await first.waitUntilSettled([id]).first).session.state == .paused)

            // A screen reads the paused row; then another process finishes the upload.
            let screen = try bed.makeUploader()
            try await screen.loadJournal()
            #expect(await screen.snapshot(id: id)?.session.state == .paused)
            await first.resume(id: id)
            let done = try #require(await first.waitUntilSettled([id]).first)
            #expect(done.session.state == .done && done.session.handle != nil)
            let requests = await bed.server.requestLog().count

            await screen.resume(id: id)
            let shown = try #require(await screen.waitUntilSettled([id]).first)
            #expect(shown.session.state == .done)
            #expect(shown.session.handle == done.session.handle)
            let stored = try #require(try bed.journal.session(id: id))
            #expect(stored.state == .done && stored.handle == done.session.handle, "the handle is not written over")
            #expect(await bed.server.requestLog().count == requests, "nothing more was sent")
        }
    }

    @Test("forgetting takes each session's lock: one another process holds is left, the rest go with their lock files")
    func forgetLeavesHeldSessions() async throws {
        try await withTestBed({ $0.bytesPerSecond = 600_000 }) { bed in
            let file = bed.makeFile("kept.png", size: 3_000_000)
            let (first, id) = try await runningElsewhere(bed, file: file)
            let catalog = SessionCatalog(journal: bed.journal, stateDirectory: bed.stateDirectory)
            let result = try catalog.forget(ids: [id])
            #expect(result.busyElsewhere == [id] && result.forgotten.isEmpty)
            #expect(try bed.journal.session(id: id) != nil)
            #expect(try #require(await first.waitUntilSettled([id]).first).session.state == .done)
            // Now nobody holds it: it goes, and leaves no file of its own.
            #expect(try catalog.forget(ids: [id]).forgotten == [id])
            #expect(try bed.journal.session(id: id) == nil)
            #expect(!FileManager.default.fileExists(atPath: bed.stateDirectory + "/locks/\(id).lock"))
            #expect(!SessionLock.isHeldElsewhere(sessionID: id, stateDirectory: bed.stateDirectory))
        }
    }
}
