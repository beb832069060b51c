import Foundation
import Sandbox
import Synchronization
import TestSupport
import Testing
import Transport

@testable import UploadCore

/// `sha256` is the digest of the bytes the transport read and sent, in order, from the
/// descriptor it sent them from; never of the file read again at another time.
@Suite("The sha256 is the digest of the bytes sent")
struct SentDigestTests {
    /// Writes other bytes over the whole file, in place (same inode), then puts its access
    /// and modification times back as they were, to the nanosecond (`touch -r`).
    static func rewriteKeepingTimes(_ path: String, magic: [UInt8]) throws {
        var before = stat()
        try #require(stat(path, &before) == 0)
        let size = Int(before.st_size)
        let fresh = Data(magic) + (FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: size - magic.count) ?? Data())
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.write(contentsOf: fresh)
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        try #require(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var after = stat()
        try #require(stat(path, &after) == 0)
        try #require(after.st_size == before.st_size && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec && after.st_ino == before.st_ino)
    }

    /// Adds `file`, waits until the server confirmed more than `past` bytes, and pauses.
    private static func pauseMidUpload(_ uploader: Uploader, _ file: String, past: Int64) async throws -> UploadSnapshot {
        let added = try await uploader.add(path: file, route: .resumable).snapshot
        try #require(await eventually(within: 30) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) > past })
        try await uploader.pause(id: added.id)
        let paused = try #require(await uploader.waitUntilSettled([added.id]).first)
        try #require(paused.session.state == .paused)
        return paused
    }

    @Test("paused mid-upload, rewritten with its times put back, resumed: a new session, and the digest is of what it holds")
    func rewrittenWhilePaused() async throws {
        // A resume of a paused row whose file changed starts a new session from byte 0
        // (docs/api.md): its digest must be the new bytes', never a mix's.
        try await withTestBed({ $0.bytesPerSecond = 400_000 }) { bed in
            let file = bed.makeFile("r.pdf", size: 2_000_000, magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let paused = try await Self.pauseMidUpload(uploader, file, past: 300_000)
            try Self.rewriteKeepingTimes(file, magic: Magic.pdf)
            await uploader.resume(id: paused.id)
            let result = try #require(await uploader.waitUntilSettled([paused.id]).first)
            #expect(result.session.state == .done, "\(result.session.state): \(result.session.lastError ?? "")")
            #expect(result.session.remoteID != paused.session.remoteID, "the old session was continued")
            // One POST only to the old session, the one the pause cut (the sandbox may log it late).
            let oldPath = "/" + MediaAPI.redacted(try #require(paused.session.remoteID))
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path == oldPath }
            #expect(posts.map(\.fileOffset) == ["0"], "the rewritten file was appended to the old session")
            let used = try #require(await bed.server.sessions().first { $0.id == result.session.remoteID })
            #expect(used.sha256 == (try bed.sha256(file)))
            #expect(result.session.sha256 == used.sha256, "the digest is not of the bytes the new session holds")
        }
    }

    @Test("stalled mid-upload and cut, rewritten with its times put back during the backoff: file changed, no digest")
    func rewrittenAfterAStall() async throws {
        // The stall timeout cuts the connection; the rewrite lands in the backoff before
        // the retry (1.5 to 3 s), whose check before its attempt must find it.
        try await withTestBed({
            $0.stallAtOffsets = [600_000]; $0.stallSeconds = 4
        }) { bed in
            let file = bed.makeFile("s.pdf", size: 1_500_000, magic: Magic.pdf)
            let uploader = try bed.makeUploader(stallTimeout: 1, retryDelay: 3)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            try #require(await eventually(within: 30) { await uploader.snapshot(id: added.id)?.session.state == .stalled })
            try Self.rewriteKeepingTimes(file, magic: Magic.pdf)
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .fileChanged, "\(result.session.state): \(result.session.lastError ?? "")")
            #expect(result.session.sha256 == nil)
            #expect(result.session.handle == nil)
        }
    }

    @Test("paused and resumed: the digest is the file's and the server's stored bytes'")
    func resumedDigest() async throws {
        try await withTestBed({ $0.bytesPerSecond = 500_000 }) { bed in
            let file = bed.makeFile("p.png", size: 2_000_000)
            let uploader = try bed.makeUploader()
            let paused = try await Self.pauseMidUpload(uploader, file, past: 300_000)
            await uploader.resume(id: paused.id)
            let done = try #require(await uploader.waitUntilSettled([paused.id]).first)
            #expect(done.session.state == .done, "\(done.session.lastError ?? "")")
            let resumedAt = await bed.server.requestLog().last { $0.method == "POST" && $0.path.hasPrefix("/upload:") }?.fileOffset
            #expect((Int64(resumedAt ?? "0") ?? 0) > 0, "the last POST did not resume: it began at \(resumedAt ?? "nil")")
            let stored = try #require(await bed.server.sessions().first { $0.id == done.session.remoteID })
            #expect(done.session.sha256 == (try bed.sha256(file)))
            #expect(done.session.sha256 == stored.sha256)
            #expect(try bed.journal.session(id: paused.id)?.sha256 == stored.sha256)
        }
    }

    @Test("chunks, one cut mid-chunk: the digest is the file's and the server's")
    func chunkedDigest() async throws {
        // The cut at 450,000 lands inside the second chunk: the digest has taken bytes the
        // server never got, and must start over and catch up to 300,000.
        try await withTestBed({ $0.resetAtOffsets = [450_000] }) { bed in
            let file = bed.makeFile("c.mp4", size: 1_000_000, magic: Magic.mp4)
            let uploader = try bed.makeUploader(chunkSize: 300_000)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
            #expect(result.session.attempts == 2)
            let stored = try #require(await bed.server.sessions().first)
            #expect(result.session.sha256 == (try bed.sha256(file)))
            #expect(result.session.sha256 == stored.sha256)
        }
    }

    @Test("every byte on the server, no handle yet; a new run's empty POST gets it: the digest is still the file's")
    func emptyFinalPostDigest() async throws {
        try await withTestBed({ $0.oddities = [.init(.missingHandle, on: .upload, count: 1)] }) { bed in
            let file = bed.makeFile("f.png", size: 700_000)
            let api = try bed.makeAPI()
            let remoteID = try await api.createSession(fileName: "f.png", length: 700_000, mimeType: "image/png", control: TransferControl())
            let reply = try await api.uploadChunk(
                sessionID: remoteID, path: file, offset: 0, length: 700_000, control: TransferControl(), progress: { _ in })
            try #require(reply == .accepted)
            var stored = UploadSession(
                path: file, fileSize: 700_000, fileModified: 0, mimeType: "image/png", route: .resumable)
            stored.identity = try FileIdentity.read(path: file).get()
            stored.remoteID = remoteID
            stored.serverOffset = 700_000
            stored.state = .paused
            try bed.journal.save(stored)
            let uploader = try bed.makeUploader()
            try await uploader.loadJournal()
            await uploader.resume(id: stored.id)
            let result = try #require(await uploader.waitUntilSettled([stored.id]).first)
            #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }
            #expect(posts.last?.fileOffset == "700000", "the handle came from the empty POST at the end")
            let server = try #require(await bed.server.sessions().first)
            #expect(result.session.handle == server.handle)
            #expect(result.session.sha256 == (try bed.sha256(file)))
            #expect(result.session.sha256 == server.sha256)
        }
    }

    @Test("a transport that gives a handle without reading the body: done, with no digest")
    func noDigestOfUnsentBytes() async throws {
        try await withTestBed { bed in
            let file = bed.makeFile("n.png", size: 400_000)
            let transport = UnreadBodyTransport()
            let api = MediaAPI(endpoint: try APIEndpoint(baseURL: "http://127.0.0.1:9", apiKey: TestBed.key), transport: transport)
            let uploader = Uploader(
                journal: bed.journal, api: api, account: try ServerAccount(endpoint: api.endpoint, stateDirectory: bed.stateDirectory),
                stateDirectory: bed.stateDirectory, options: Uploader.Options(computesSHA256: true), logger: quietLogger("test.uploader"))
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
            #expect(transport.uploadPosts == 1)
            #expect(result.session.sha256 == nil, "a digest of bytes that were never read to be sent")
        }
    }
}

/// Answers the create and the upload POST with success without reading any body byte,
/// as a server that has a file's bytes from elsewhere would.
private final class UnreadBodyTransport: HTTPTransport {
    private let posts = Mutex(0)
    var uploadPosts: Int { posts.withLock { $0 } }

    func send(
        _ request: HTTPRequest, limits: TransferLimits, control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(TransportError) -> HTTPResponse {
        let json: String
        switch (request.method, request.url.contains("/uploads?")) {
        case (.post, true): json = #"{"id":"upload:unread"}"#
        case (.post, false):
            posts.withLock { $0 += 1 }
            json = #"{"h":"handle-unread"}"#
        case (.get, _): json = #"{"file_offset":0}"#
        case (.delete, _): json = #"{"success":true}"#
        }
        return HTTPResponse(status: 200, headers: [:], body: Array(json.utf8))
    }
}
