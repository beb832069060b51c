import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

/// Two uploaders on one state folder stand for two mediaup processes, as a screen and a
/// script (or a second screen) on one journal.
@Suite("Sessions other processes add")
struct JournalFollowTests {
    @Test("a session another process adds shows within a poll, as that process's while it runs, then done with its handle")
    func anotherProcessesSessionShows() async throws {
        try await withTestBed({ $0.bytesPerSecond = 600_000 }) { bed in
            let screen = try bed.makeUploader()
            try await screen.loadJournal()
            let events = await screen.events()
            await screen.followJournal()
            let script = try bed.makeUploader()
            let file = bed.makeFile("from-script.png", size: 1_500_000)
            let id = try await script.add(path: file, route: .resumable).snapshot.id

            try #require(await eventually(within: 10) { await screen.snapshot(id: id) != nil }, "the screen lists the script's session")
            let seen = try #require(await screen.snapshot(id: id))
            #expect(seen.activeElsewhere || seen.session.state == .done, "shown as the other process's while it runs")
            let done = try #require(await script.waitUntilSettled([id]).first)
            #expect(done.session.state == .done)
            try #require(await eventually(within: 10) { await screen.snapshot(id: id)?.session.state == .done }, "the screen follows it to its end")
            let followed = try #require(await screen.snapshot(id: id))
            #expect(followed.session.handle == done.session.handle && followed.activeElsewhere == false)
            #expect(await bed.server.sessions().count == 1, "the screen did not upload it a second time")
            var announced = false
            for await event in events {
                if case .updated(let snapshot) = event, snapshot.id == id {
                    announced = true
                    break
                }
            }
            #expect(announced, "its observers heard of it")
            await screen.stopFollowingJournal()
        }
    }

    @Test("a row another process keeps queued is not taken over here, nor started by a free slot, though nothing locks it while it waits")
    func queuedElsewhereIsLeftAlone() async throws {
        try await withTestBed({ $0.bytesPerSecond = 300_000 }) { bed in
            let screen = try bed.makeUploader()
            try await screen.loadJournal()
            await screen.followJournal()
            // One slot: the second file waits in the script's queue, unlocked.
            let script = try bed.makeUploader(parallel: 1)
            let first = try await script.add(path: bed.makeFile("first.png", size: 1_500_000), route: .resumable).snapshot.id
            let second = try await script.add(path: bed.makeFile("second.png", size: 300_000), route: .resumable).snapshot.id
            try #require(await eventually(within: 10) { await screen.snapshot(id: second) != nil })
            let waiting = try #require(await screen.snapshot(id: second))
            #expect(waiting.session.state == .queued && waiting.activeElsewhere)
            // The screen's own upload runs and ends: its free slots do not take the script's row.
            let own = try await screen.add(path: bed.makeFile("own.png", size: 200_000), route: .resumable).snapshot.id
            #expect(await screen.waitUntilSettled([own]).first?.session.state == .done)
            // More looks while the first file takes 5 s: still the script's, not resumed here.
            try await Task.sleep(for: .seconds(1.5))
            try #require((try bed.journal.session(id: second))?.state == .queued, "the script still has it waiting")
            #expect(await screen.snapshot(id: second)?.activeElsewhere == true)
            let settled = await script.waitUntilSettled([first, second])
            #expect(settled.map(\.session.state) == [.done, .done])
            #expect(await bed.server.sessions().count == 3, "each file went up once")
            await screen.stopFollowingJournal()
        }
    }

    @Test("sessions added in one millisecond keep the order they were added in, in the journal and after a restart")
    func creationOrderIsAddingOrder() async throws {
        try await withTestBed { bed in
            let uploader = try bed.makeUploader(parallel: 1)
            var ids: [String] = []
            for index in 0..<40 {
                ids.append(try await uploader.add(path: bed.makeFile("order-\(index).png", size: 2_000), route: .resumable).snapshot.id)
            }
            _ = await uploader.waitUntilSettled(ids)
            #expect(try bed.journal.allSessions().map(\.id) == ids)
            let created = try bed.journal.allSessions().map(\.createdAt)
            #expect(zip(created, created.dropFirst()).allSatisfy { $0 < $1 }, "no two share a time")
            let again = try bed.makeUploader()
            #expect(try await again.loadJournal().map(\.id) == ids)
        }
    }

    @Test("sessions added within one millisecond get times a millisecond apart, which the journal keeps")
    func sameMillisecond() throws {
        let now = Date(timeIntervalSince1970: 1_780_000_000.123_4)
        let (first, firstMilliseconds) = Uploader.creationTime(now: now, after: 0)
        let (second, _) = Uploader.creationTime(now: now, after: firstMilliseconds)
        #expect(first < second)
        let stored = [first, second].map { UTCText.string($0) }
        #expect(stored == ["2026-05-28 20:26:40.123", "2026-05-28 20:26:40.124"])
    }
}

@Suite("Queues of other processes")
struct OtherQueuesTests {
    /// A journal row queued by the process that holds `token`'s claim, or by a gone one.
    private func queuedRow(_ bed: TestBed, _ name: String, owner: String?, uploader: Uploader) async throws -> UploadSession {
        let file = bed.makeFile(name, size: 200_000)
        let identity = try FileIdentity.read(path: file).get()
        var session = UploadSession(
            path: file, fileSize: identity.size, fileModified: identity.modifiedNanoseconds, mimeType: "image/png", route: .resumable)
        session.identity = identity
        session.baseURL = uploader.account.baseURL
        session.account = uploader.account.fingerprint
        session.owner = owner
        try bed.journal.save(session)
        return session
    }

    @Test("a screen started while another process has rows queued leaves them to it, and takes them over within a poll once it is gone")
    func liveQueueIsLeftDeadQueueIsTaken() async throws {
        try await withTestBed { bed in
            var other: ProcessLock? = try ProcessLock.take(stateDirectory: bed.stateDirectory).get()
            let otherToken = other!.token
            let screen = try bed.makeUploader()
            let waiting = try await queuedRow(bed, "waiting.png", owner: otherToken, uploader: screen)
            let orphan = try await queuedRow(bed, "orphan.png", owner: UUID().uuidString.lowercased(), uploader: screen)

            try await screen.loadJournal()
            await screen.resumeInterrupted()
            let shown = try #require(await screen.snapshot(id: waiting.id))
            #expect(shown.activeElsewhere && shown.session.state == .queued, "the live process's row stays in its queue")
            let taken = await screen.waitUntilSettled([orphan.id])
            #expect(taken.first?.session.state == .done, "a gone process's queued row is this one's to send")
            try await Task.sleep(for: .seconds(1.5))
            #expect(try bed.journal.session(id: waiting.id)?.state == .queued, "not sent while its process runs")

            other = nil  // the process ends: the kernel drops its lock
            #expect(await eventually(within: 10) { await screen.snapshot(id: waiting.id)?.session.state == .done })
            #expect(await screen.snapshot(id: waiting.id)?.activeElsewhere == false)
            #expect(await bed.server.sessions().count == 2, "each file went up once")
            #expect(!ProcessLock.isAlive(otherToken, stateDirectory: bed.stateDirectory), "an ended claim is free")
            #expect(
                !FileManager.default.fileExists(atPath: bed.stateDirectory + "/locks/process-\(otherToken).lock"), "an ended claim leaves no file")
        }
    }
}
