import Foundation
import Sandbox
import TestSupport
import Testing
import Transport

@testable import UploadCore

/// The engine against replies the API does not promise (docs/api.md, "Odd replies"). Each test
/// checks what the user ends up with, that nothing below the server's offset was sent
/// twice, and that the journal row says the same as the uploader.
@Suite("Uploader against odd server replies")
struct OdditiesTests {
    /// Runs one upload of a `size`-byte file against a sandbox with `oddities`, then
    /// `body` with the bed, the file and the settled snapshot; stops the bed after `body`.
    private static func run(
        _ oddities: [SandboxOddity], size: Int = 300_000, chunkSize: Int64? = nil, stallTimeout: Double = 30,
        retries: Int = 5, route: UploadRoute = .resumable, configure: (inout SandboxConfiguration) -> Void = { _ in },
        _ body: (_ bed: TestBed, _ file: String, _ result: UploadSnapshot) async throws -> Void
    ) async throws {
        try await withTestBed({ config in
            config.oddities = oddities
            configure(&config)
        }) { bed in
            let file = route == .media ? bed.makeFile("o.ogg", size: size, magic: Magic.ogg) : bed.makeFile("o.png", size: size)
            let uploader = try bed.makeUploader(stallTimeout: stallTimeout, retries: retries, chunkSize: chunkSize)
            let added = try await uploader.add(path: file, route: route).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            try await body(bed, file, result)
        }
    }

    /// The upload ended done with the file's digest on both sides, and the journal agrees.
    private static func expectDone(_ bed: TestBed, _ file: String, _ result: UploadSnapshot) async throws {
        #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
        let digest = try bed.sha256(file)
        #expect(result.session.sha256 == digest)
        if result.session.route == .resumable {
            // The session the upload used (a slow create can time out and leave another).
            let stored = try #require(await bed.server.sessions().first { $0.id == result.session.remoteID })
            #expect(stored.sha256 == digest)
            #expect(result.session.handle == stored.handle)
        } else {
            #expect(await bed.server.mediaUploads().last?.sha256 == digest)
        }
        try expectJournalAgrees(bed, result)
    }

    private static func expectJournalAgrees(_ bed: TestBed, _ result: UploadSnapshot) throws {
        let row = try #require(try bed.journal.session(id: result.id))
        #expect(row.state == result.session.state)
        #expect(row.serverOffset == result.session.serverOffset)
        #expect(row.remoteID == result.session.remoteID)
        #expect(row.handle == result.session.handle)
        #expect(row.serverOffset >= 0 && row.serverOffset <= row.fileSize)
    }

    /// Every POST to a session went out at the offset the server held then: the log's
    /// offsets never go backwards, and a finished session received each byte once
    /// (plus `lostByServer`, bytes the server dropped and had to get again).
    private static func expectNoByteResent(_ bed: TestBed, lostByServer: Int64 = 0) async {
        let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }
        let offsets = posts.compactMap { $0.fileOffset.flatMap { Int64($0) } }
        #expect(offsets.allSatisfy { $0 >= 0 })
        #expect(offsets == offsets.sorted(), "offsets went backwards: \(offsets)")
        for stored in await bed.server.sessions() where stored.handle != nil {
            #expect(stored.totalBodyBytesReceived == stored.declaredLength + lostByServer, "bytes sent twice: \(stored.totalBodyBytesReceived)")
        }
    }

    @Test("garbage JSON on the first GET of the offset: retried, done")
    func garbageOnStatus() async throws {
        try await Self.run([.init(.garbageJSON, on: .status)], chunkSize: 100_000) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            #expect(result.session.attempts == 2)
            await Self.expectNoByteResent(bed)
        }
    }

    @Test("an empty 200 to the create: retried with a new create, done")
    func emptyCreate() async throws {
        try await Self.run([.init(.emptyBody, on: .create)]) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            #expect(await bed.server.requestLog().filter { $0.path == "/uploads" }.count == 2)
            await Self.expectNoByteResent(bed)
        }
    }

    @Test("an HTML error page (502) is shown by its title and retried")
    func htmlErrorPage() async throws {
        try await withTestBed({ $0.oddities = [.init(.htmlErrorPage(status: 502), on: .create, count: 1)] }) { bed in
            let file = bed.makeFile("h.png", size: 200_000)
            let uploader = try bed.makeUploader()
            let events = await uploader.events()
            let sawMessage = Task {
                for await event in events {
                    if case .updated(let s) = event, let error = s.session.lastError, error.contains("502 Bad Gateway") { return true }
                }
                return false
            }
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            sawMessage.cancel()
            #expect(await sawMessage.value)
            try await Self.expectDone(bed, file, result)
            await Self.expectNoByteResent(bed)
        }
    }

    @Test("200 without id to the create: retried, done")
    func missingID() async throws {
        try await Self.run([.init(.missingID, on: .create)]) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            #expect(await bed.server.requestLog().filter { $0.path == "/uploads" }.count == 2)
        }
    }

    @Test("200 without id to POST /media: retried, done")
    func missingMediaID() async throws {
        try await Self.run([.init(.missingID, on: .media)], route: .media) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            #expect(result.session.mediaID == (await bed.server.mediaUploads().last?.id))
        }
    }

    @Test("200 without h to the last chunk: the offset is asked, the handle fetched, done")
    func missingHandle() async throws {
        try await Self.run([.init(.missingHandle, on: .upload)]) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            await Self.expectNoByteResent(bed)
            // The handle came from an empty POST at the end, not from sending the file again.
            #expect(await bed.server.sessions().first?.totalBodyBytesReceived == 300_000)
        }
    }

    @Test("a huge reply is refused, counted as a failure and retried")
    func hugeBody() async throws {
        try await Self.run([.init(.hugeBody(bytes: 3 << 20), on: .upload)]) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            #expect(result.session.attempts == 2)
            await Self.expectNoByteResent(bed)
        }
    }

    @Test("a reply that never ends is called stalled, aborted and retried")
    func neverEndingReply() async throws {
        try await withTestBed({ $0.oddities = [.init(.neverEndingReply, on: .status)] }) { bed in
            let file = bed.makeFile("n.png", size: 300_000)
            let uploader = try bed.makeUploader(stallTimeout: 1, chunkSize: 100_000)
            let sawStalled = await TestBed.watch(uploader, for: .stalled)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            sawStalled.cancel()
            #expect(await sawStalled.value)
            try await Self.expectDone(bed, file, result)
            await Self.expectNoByteResent(bed)
        }
    }

    @Test("a redirect to another host is not followed: the row fails saying so, the key never leaves")
    func redirectElsewhere() async throws {
        try await withSandbox(apiKey: "other-key", { $0.host = "127.0.0.2" }) { otherFixture in
            let other = otherFixture.server
            try await Self.run([.init(.redirect(location: other.baseURL), on: .create, count: .max)]) { bed, _, result in
                #expect(result.session.state == .failed)
                #expect(result.session.lastError?.contains("redirected") == true)
                #expect(result.session.lastError?.contains(other.baseURL) == true)
                #expect(result.session.lastError?.contains(TestBed.key) == false)
                #expect(result.session.attempts == 1)
                #expect(await other.requestLog().isEmpty)
                try Self.expectJournalAgrees(bed, result)
            }
        }
    }

    @Test("a session that expires mid-upload: the row is expired; a retry starts anew and ends done")
    func expiresMidUpload() async throws {
        try await withTestBed({ $0.oddities = [.init(.expireAfterBytes(200_000), on: .upload)] }) { bed in
            let file = bed.makeFile("x.png", size: 600_000)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let expired = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(expired.session.state == .expired)
            #expect(expired.session.lastError?.contains("no longer knows") == true)
            try Self.expectJournalAgrees(bed, expired)
            try await uploader.retry(id: added.id)
            let done = try #require(await uploader.waitUntilSettled([added.id]).first)
            try await Self.expectDone(bed, file, done)
            #expect(done.session.remoteID != expired.session.remoteID)
            #expect(await bed.server.sessions().count == 2)
        }
    }

    @Test("file_offset as a string, always: done")
    func offsetAsString() async throws {
        let oddities: [SandboxOddity] = [.init(.offsetAsString, on: .status, count: .max), .init(.offsetAsString, on: .upload, count: .max)]
        try await Self.run(oddities, chunkSize: 100_000) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            #expect(result.session.attempts == 1)
            await Self.expectNoByteResent(bed)
        }
    }

    @Test("a server offset beyond the file's end fails the row clearly; a retry starts a new session")
    func offsetBeyondFile() async throws {
        try await withTestBed({ $0.oddities = [.init(.offsetAhead(by: 1_000_000), on: .status)] }) { bed in
            let file = bed.makeFile("a.png", size: 300_000)
            let uploader = try bed.makeUploader(chunkSize: 100_000)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let failed = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(failed.session.state == .failed)
            #expect(failed.session.lastError?.contains("1100000 bytes of a 300000-byte file") == true)
            try Self.expectJournalAgrees(bed, failed)
            await Self.expectNoByteResent(bed)
            // Retry: the promised new session, from byte 0.
            try await uploader.retry(id: added.id)
            let done = try #require(await uploader.waitUntilSettled([added.id]).first)
            try await Self.expectDone(bed, file, done)
            #expect(await bed.server.sessions().count == 2)
        }
    }

    @Test("a server offset ahead of the client's but within the file: refused POST, resync, done")
    func offsetAheadWithinFile() async throws {
        try await Self.run([.init(.offsetAhead(by: 50_000), on: .status)], chunkSize: 100_000) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            let statuses = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }.map(\.status)
            #expect(statuses.contains(400))
        }
    }

    @Test("a server offset behind the client's: the engine continues from the server's number")
    func offsetBehind() async throws {
        try await Self.run([.init(.offsetBehind(by: 40_000), on: .status)], chunkSize: 100_000) { bed, file, result in
            try await Self.expectDone(bed, file, result)
            let offsets = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }.map(\.fileOffset)
            #expect(offsets == ["0", "60000", "160000", "260000"])
            await Self.expectNoByteResent(bed, lostByServer: 40_000)
        }
    }
}
