import Foundation
import Sandbox
import TestSupport
import Testing
import Transport

@testable import UploadCore

@Suite("Uploader against the sandbox over loopback")
struct UploaderTests {
    @Test("a resumable upload ends with a handle and the server's bytes equal the file's", arguments: APIProvider.allCases)
    func resumableUpload(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let file = bed.makeFile("poster.png", size: 3_000_000)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            let stored = try #require(await bed.server.sessions().first)
            #expect(result.session.handle == stored.handle)
            #expect(stored.sha256 == (try bed.sha256(file)))
            #expect(result.session.sha256 == stored.sha256)
            #expect(stored.totalBodyBytesReceived == 3_000_000)
            #expect(result.session.remoteID == stored.id)
            // The journal holds the finished session.
            #expect(try bed.journal.session(id: added.id)?.state == .done)
        }
    }

    @Test("without computesSHA256 nothing is hashed: the session ends done with no sha256")
    func noDigestUnlessAsked() async throws {
        try await withTestBed { bed in
            let file = bed.makeFile("menu.png", size: 500_000)
            let uploader = try bed.makeUploader(computesSHA256: false)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            #expect(result.session.sha256 == nil)
            #expect(try bed.journal.session(id: added.id)?.sha256 == nil)
        }
    }

    @Test("a sandbox that drops bytes still counts them: the upload ends with a handle, nothing is stored")
    func sandboxDroppingBytes() async throws {
        try await withTestBed({ $0.keepsBytes = false }) { bed in
            let file = bed.makeFile("flyer.pdf", size: 1_500_000, magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            let stored = try #require(await bed.server.sessions().first)
            #expect(stored.handle != nil && stored.handle == result.session.handle)
            #expect(stored.receivedBytes == 1_500_000)
            #expect(stored.sha256 == nil)
            let onDisk = try FileManager.default.attributesOfItem(atPath: stored.path)[.size] as? Int
            #expect(onDisk == 0)
        }
    }

    @Test("a /media upload ends with a media id and equal bytes", arguments: APIProvider.allCases)
    func mediaUpload(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let file = bed.makeFile("voice.ogg", size: 200_000, magic: Magic.ogg)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .media).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            let media = try #require(await bed.server.mediaUploads().first)
            #expect(result.session.mediaID == media.id)
            #expect(media.sha256 == (try bed.sha256(file)))
            #expect(media.type == "audio/ogg")
            #expect(media.messagingProduct == "whatsapp")
        }
    }

    @Test("a reset mid-body resumes from the server's offset; no byte below it is sent again", arguments: APIProvider.allCases)
    func resetResumes(provider: APIProvider) async throws {
        try await withTestBed(provider: provider, { $0.resetAtOffsets = [1_000_000, 2_500_000] }) { bed in
            let file = bed.makeFile("brochure.pdf", size: 4_000_000, magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            #expect(result.session.attempts == 3)
            let stored = try #require(await bed.server.sessions().first)
            #expect(stored.sha256 == (try bed.sha256(file)))
            // Each POST starts exactly at the offset the server held after the cut.
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.contains("/upload:") }
            #expect(posts.map(\.fileOffset) == ["0", "1000000", "2500000"])
            #expect(posts.map(\.status) == [nil, nil, 200])
        }
    }

    @Test("chunks: each POST carries the next offset and only the last gets the handle", arguments: APIProvider.allCases)
    func chunked(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let file = bed.makeFile("clip.mp4", size: 1_000_000, magic: Magic.mp4)
            let uploader = try bed.makeUploader(chunkSize: 300_000)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            let offsets = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.contains("/upload:") }.map(\.fileOffset)
            #expect(offsets == ["0", "300000", "600000", "900000"])
            #expect(await bed.server.sessions().first?.sha256 == (try bed.sha256(file)))
        }
    }

    @Test("429 on create is retried after Retry-After")
    func rateLimitedCreate() async throws {
        try await withTestBed({
            $0.rateLimitedCreates = 2; $0.retryAfterSeconds = 1
        }) { bed in
            let file = bed.makeFile("a.png", size: 10_000)
            let uploader = try bed.makeUploader()
            let started = Date()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done)
            // Two waits of Retry-After: 1 s each, longer than the 0.5 s backoff cap.
            #expect(Date().timeIntervalSince(started) >= 2)
            let creates = await bed.server.requestLog().filter { $0.path == "/uploads" }.map(\.status)
            #expect(creates == [429, 429, 200])
        }
    }

    @Test("503s are retried until the upload goes through")
    func serverErrorsRetried() async throws {
        try await withTestBed({ $0.failRate = 0.5 }) { bed in
            let files = (0..<6).map { bed.makeFile("f\($0).png", size: 50_000) }
            let uploader = try bed.makeUploader(retries: 30)
            var ids: [String] = []
            for file in files { ids.append(try await uploader.add(path: file, route: .resumable).snapshot.id) }
            let results = await uploader.waitUntilSettled(ids)
            #expect(results.allSatisfy { $0.session.state == .done })
            let statuses = await bed.server.requestLog().compactMap(\.status)
            // With p = 0.5 over at least six upload requests, no 503 at all has p < 2%.
            #expect(statuses.contains(503) || results.allSatisfy { $0.session.attempts == 1 })
            for (file, result) in zip(files, results) {
                #expect(result.session.sha256 == (try bed.sha256(file)))
            }
        }
    }

    @Test("a stall is detected, shown, and retried")
    func stallRetried() async throws {
        try await withTestBed({
            $0.stallAtOffsets = [400_000]; $0.stallSeconds = 4
        }) { bed in
            let file = bed.makeFile("s.png", size: 1_000_000)
            let uploader = try bed.makeUploader(stallTimeout: 1)
            let sawStalled = await TestBed.watch(uploader, for: .stalled)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            sawStalled.cancel()
            #expect(result.session.state == .done)
            #expect(result.session.attempts >= 2)
            #expect(await sawStalled.value)
            // With a 1 s stall timeout a slow reply to the create can itself count as a
            // stall, leaving an unused session behind: check the one the upload used.
            let stored = await bed.server.sessions().first { $0.id == result.session.remoteID }
            #expect(stored?.sha256 == (try bed.sha256(file)))
        }
    }

    @Test("401 stops at once: no retry, the next files are not sent", arguments: APIProvider.allCases)
    func unauthorized(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let files = (0..<3).map { bed.makeFile("k\($0).png", size: 1000) }
            let uploader = try bed.makeUploader(key: "wrong-key", parallel: 1)
            var ids: [String] = []
            for file in files { ids.append(try await uploader.add(path: file, route: .resumable).snapshot.id) }
            let results = await uploader.waitUntilSettled(ids)
            #expect(results.allSatisfy { $0.session.state == .failed })
            #expect(results[0].session.lastError?.contains(provider == .meta ? "refused the access token" : "refused the API key") == true)
            #expect(results[1].session.lastError?.hasPrefix("not sent") == true)
            #expect(await bed.server.requestLog().count == 1)
        }
    }

    @Test("a wrong file_offset is answered with the server's and the client continues from it")
    func offsetMismatch() async throws {
        try await withTestBed { bed in
            let file = bed.makeFile("m.png", size: 100_000)
            let api = try bed.makeAPI()
            let session = try await api.createSession(fileName: "m.png", length: 100_000, mimeType: "image/png", control: TransferControl())
            _ = try await api.uploadChunk(sessionID: session, path: file, offset: 0, length: 40_000, control: TransferControl(), progress: { _ in })
            do {
                _ = try await api.uploadChunk(
                    sessionID: session, path: file, offset: 10_000, length: 90_000, control: TransferControl(), progress: { _ in })
                Issue.record("a wrong offset was accepted")
            } catch let error as APIFailure {
                #expect(error.reaction == .resync)
            }
            // The engine continues such a session from the server's number.
            var stored = UploadSession(
                path: file, fileSize: 100_000, fileModified: try FileIdentity.read(path: file).get().modifiedNanoseconds,
                mimeType: "image/png", route: .resumable)
            stored.remoteID = session
            stored.serverOffset = 10_000
            stored.state = .paused
            try bed.journal.save(stored)
            let uploader = try bed.makeUploader()
            try await uploader.loadJournal()
            await uploader.resume(id: stored.id)
            let result = try #require(await uploader.waitUntilSettled([stored.id]).first)
            #expect(result.session.state == .done)
            let server = try #require(await bed.server.sessions().first)
            #expect(server.sha256 == (try bed.sha256(file)))
            #expect(server.totalBodyBytesReceived == 100_000)
        }
    }

    @Test("an expired session is reported, and a retry starts a new one from byte 0")
    func expiredSession() async throws {
        try await withTestBed({ $0.bytesPerSecond = 400_000 }) { bed in
            let file = bed.makeFile("e.pdf", size: 2_000_000, magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            #expect(await eventually(within: 20) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) > 200_000 })
            try await uploader.pause(id: added.id)
            let paused = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(paused.session.state == .paused)
            await bed.server.expireAllSessions()
            await uploader.resume(id: added.id)
            let expired = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(expired.session.state == .expired)
            #expect(expired.session.lastError?.contains("no longer knows") == true)
            try await uploader.retry(id: added.id)
            let done = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(done.session.state == .done)
            #expect(done.session.remoteID != expired.session.remoteID)
            #expect(await bed.server.sessions().count == 2)
        }
    }

    @Test("pause keeps the session; resume asks the offset and continues from it, not from 0", arguments: APIProvider.allCases)
    func pauseResume(provider: APIProvider) async throws {
        try await withTestBed(provider: provider, { $0.bytesPerSecond = 500_000 }) { bed in
            let file = bed.makeFile("p.png", size: 2_000_000)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            #expect(await eventually(within: 20) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) > 300_000 })
            try await uploader.pause(id: added.id)
            let paused = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(paused.session.state == .paused)
            #expect(try bed.journal.session(id: added.id)?.state == .paused)
            await uploader.resume(id: added.id)
            let done = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(done.session.state == .done)
            // The POST that finished began where the server was, not at 0.
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.contains("/upload:") }
            #expect(posts.last?.status == 200)
            let resumedAt = Int64(posts.last?.fileOffset ?? "0") ?? 0
            #expect(resumedAt >= paused.session.serverOffset && resumedAt > 0)
            let server = try #require(await bed.server.sessions().first)
            #expect(server.sha256 == (try bed.sha256(file)))
        }
    }

    @Test("a file that changes on disk mid-upload stops as file changed")
    func fileChanged() async throws {
        try await withTestBed({ $0.bytesPerSecond = 300_000 }) { bed in
            let file = bed.makeFile("c.png", size: 1_500_000)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            #expect(await eventually(within: 20) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) > 100_000 })
            // Shrink the file under the running transfer.
            #expect(truncate(file, 500_000) == 0)
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .fileChanged)
            #expect(result.session.handle == nil)
        }
    }

    @Test("files WhatsApp will not take are refused before any request")
    func refusals() async throws {
        try await withTestBed { bed in
            let uploader = try bed.makeUploader()
            let big = bed.makeFile("huge.png", size: 5 * 1024 * 1024 + 1)
            let ogg = bed.makeFile("a.ogg", size: 100, magic: Magic.ogg)
            await #expect(throws: FileProblem.self) { try await uploader.add(path: big, route: .media) }
            await #expect(throws: FileProblem.self) { try await uploader.add(path: ogg, route: .resumable) }
            await #expect(throws: FileProblem.self) { try await uploader.add(path: bed.directory + "/files/none.png", route: .media) }
            #expect(await bed.server.requestLog().isEmpty)
            #expect(try bed.journal.allSessions().isEmpty)
        }
    }

    @Test("adding a file with an unfinished session continues that session")
    func continuesUnfinished() async throws {
        try await withTestBed({ $0.bytesPerSecond = 500_000 }) { bed in
            let file = bed.makeFile("u.png", size: 1_500_000)
            let first = try bed.makeUploader()
            let added = try await first.add(path: file, route: .resumable).snapshot
            #expect(await eventually(within: 20) { (await first.snapshot(id: added.id)?.transferredBytes ?? 0) > 200_000 })
            await first.pauseAllAndWait()
            let second = try bed.makeUploader()
            let again = try await second.add(path: file, route: .resumable).snapshot
            #expect(again.id == added.id)
            let done = try #require(await second.waitUntilSettled([again.id]).first)
            #expect(done.session.state == .done)
            #expect(await bed.server.sessions().count == 1)
            let resumedAt = await bed.server.requestLog().last { $0.method == "POST" && $0.path.contains("/upload:") }?.fileOffset
            #expect((Int64(resumedAt ?? "0") ?? 0) > 0)
            #expect(await bed.server.sessions().first?.sha256 == (try bed.sha256(file)))
        }
    }

    @Test("cancel forgets the session")
    func cancelForgets() async throws {
        try await withTestBed({ $0.bytesPerSecond = 200_000 }) { bed in
            let file = bed.makeFile("x.png", size: 1_000_000)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            #expect(await eventually(within: 20) { await uploader.snapshot(id: added.id)?.session.state == .uploading })
            try await uploader.cancel(id: added.id)
            #expect(await eventually(within: 20) { await uploader.snapshot(id: added.id) == nil })
            #expect(try bed.journal.session(id: added.id) == nil)
        }
    }

    @Test("forgetDone forgets finished rows only, journal rows too")
    func forgetDone() async throws {
        try await withTestBed({ $0.bytesPerSecond = 400_000 }) { bed in
            let uploader = try bed.makeUploader()
            let first = try await uploader.add(path: bed.makeFile("one.png", size: 40_000), route: .resumable).snapshot
            let second = try await uploader.add(path: bed.makeFile("two.png", size: 40_000), route: .resumable).snapshot
            let settled = await uploader.waitUntilSettled([first.id, second.id])
            #expect(settled.allSatisfy { $0.session.state == .done })
            // Ten seconds of bytes at this rate: paused long before it is done.
            let third = try await uploader.add(path: bed.makeFile("three.png", size: 4_000_000), route: .resumable).snapshot
            try await uploader.pause(id: third.id)
            #expect(await uploader.waitUntilSettled([third.id]).first?.session.state == .paused)
            #expect(await uploader.forgetDone() == 2)
            #expect(try bed.journal.session(id: first.id) == nil && bed.journal.session(id: second.id) == nil)
            #expect(await uploader.currentSnapshots().map(\.id) == [third.id])
            #expect(try bed.journal.allSessions().map(\.id) == [third.id])
        }
    }
}
