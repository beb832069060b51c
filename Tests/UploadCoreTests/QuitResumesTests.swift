import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

/// What a quit paused, or a crash left active, goes on at the next start; what the user
/// paused stays paused, and so does a row of another account.
@Suite("Quit resumes at the next start")
struct QuitResumesTests {
    @Test("rows paused by a quit or left by a crash resume at the next start; one paused by hand and another account's stay paused")
    func quitPausedRowsResumeAtNextStart() async throws {
        try await withTestBed({ $0.bytesPerSecond = 500_000 }) { bed in
            let byHand = bed.makeFile("a-hand.png", size: 4_500_000)
            let byQuit = bed.makeFile("b-quit.png", size: 4_500_000)
            let byCrash = bed.makeFile("c-crash.png", size: 4_500_000)
            let other = bed.makeFile("d-other.png", size: 4_500_000)
            let first = try bed.makeUploader()
            var ids: [String] = []
            for file in [byHand, byQuit, byCrash] { ids.append(try await first.add(path: file, route: .resumable).snapshot.id) }
            try #require(
                await eventually(within: 30) {
                    for id in ids where (await first.snapshot(id: id)?.transferredBytes ?? 0) == 0 { return false }
                    return true
                })
            try await first.pause(id: ids[0])
            _ = await first.waitUntilSettled([ids[0]])
            await first.pauseAllAndWait()
            #expect(await first.snapshot(id: ids[0])?.session.pausedBy == .user)
            #expect(await first.snapshot(id: ids[1])?.session.pausedBy == .quit)

            // A crash leaves its row active; another account's row was paused by its quit.
            var crashed = try #require(try bed.journal.session(id: ids[2]))
            crashed.state = .uploading
            crashed.pausedBy = nil
            try bed.journal.save(crashed)
            let identity = try FileIdentity.read(path: other).get()
            var foreign = UploadSession(
                path: other, fileSize: identity.size, fileModified: identity.modifiedNanoseconds, mimeType: "image/png", route: .resumable)
            foreign.identity = identity
            foreign.baseURL = first.account.baseURL
            foreign.account = "fedcba9876543210"
            foreign.state = .paused
            foreign.pausedBy = .quit
            try bed.journal.save(foreign)

            let next = try bed.makeUploader()
            try await next.loadJournal()
            await next.resumeInterrupted()
            let settled = await next.waitUntilSettled(ids + [foreign.id])
            let states = Dictionary(uniqueKeysWithValues: settled.map { ($0.session.fileName, $0.session.state) })
            #expect(states == ["a-hand.png": .paused, "b-quit.png": .done, "c-crash.png": .done, "d-other.png": .paused])
            let sessions = await bed.server.sessions()
            for file in [byQuit, byCrash] {
                let name = FilePaths.fileName(file)
                #expect(sessions.first { $0.fileName == name && $0.sha256 != nil }?.sha256 == (try bed.sha256(file)), "\(name)")
            }
            #expect(try bed.journal.session(id: ids[0])?.pausedBy == .user)
        }
    }
}
