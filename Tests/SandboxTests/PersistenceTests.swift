import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// A sandbox started again on the same storage directory knows what the last one issued,
/// as the real server keeps sessions across our restarts.
@Suite("Persistence across restarts")
struct PersistenceTests {
    @Test func pausedSessionResumesAfterARestart() async throws {
        let source = try makeFile(250_001, seed: 3)
        let half = 125_000
        let first = try writeTemp(source.data.prefix(half))
        let rest = try writeTemp(source.data.suffix(from: half))
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let one = try await SandboxFixture(apiKey: testKey, storageDirectory: dir)
        let id: String
        do {
            id = try await one.server.createSession(length: source.data.count, type: "video/mp4", name: "v.mp4")
            let r1 = try await one.server.post(id, offset: 0, file: first)
            #expect(r1.json["file_offset"] as? Int == half, "\(r1.body)")
        } catch {
            await one.stop()
            throw error
        }
        await one.stop()

        try await withSandbox(storage: dir) { two in
            // The same id, signature included, still answers.
            let status = try await two.status(id)
            #expect(status.status == 200, "\(status.body)")
            #expect(status.json["id"] as? String == id)
            #expect(status.json["file_offset"] as? Int == half)

            let session = try #require(await two.sessions().first)
            #expect(session.id == id)
            #expect(session.fileName == "v.mp4")
            #expect(session.fileType == "video/mp4")
            #expect(session.declaredLength == Int64(source.data.count))
            #expect(session.receivedBytes == Int64(half))
            #expect(session.handle == nil)
            #expect(session.isExpired == false)

            let done = try await two.post(id, offset: half, file: rest)
            #expect(done.status == 200, "\(done.body)")
            #expect((done.json["h"] as? String)?.hasPrefix("4::dmlkZW8vbXA0:AR") == true, "\(done.body)")
            let final = try #require(await two.sessions().first)
            let expected = try await sha256sum(source.path)
            #expect(final.sha256 == expected)
            #expect(try Data(contentsOf: URL(fileURLWithPath: final.path)) == source.data)
        }

        // The signing secret is private to the user.
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/sandbox-secret")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func completedSessionAndMediaSurviveARestart() async throws {
        let source = try makeFile(10_000, seed: 5)
        let photo = try makeFile(20_000, seed: 6)
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let one = try await SandboxFixture(apiKey: testKey, storageDirectory: dir)
        let id: String, handle: String, mediaID: String
        do {
            id = try await one.server.createSession(length: 10_000)
            let done = try await one.server.post(id, offset: 0, file: source.path)
            handle = try #require(done.json["h"] as? String)
            let m = try await curl([
                "-H", "Expect:", "-F", "messaging_product=whatsapp", "-F", "type=image/jpeg",
                "-F", "file=@\(photo.path);type=image/jpeg;filename=photo.jpg", "\(one.server.baseURL)/media",
            ])
            mediaID = try #require(m.json["id"] as? String, "\(m.body)")
        } catch {
            await one.stop()
            throw error
        }
        await one.stop()

        try await withSandbox(storage: dir) { two in
            let again = try await curl([
                "-X", "POST", "-H", "file_offset: 10000", "-H", "Content-Type: application/octet-stream",
                "--data-binary", "", "\(two.baseURL)/\(id)",
            ])
            #expect(again.status == 200, "\(again.body)")
            #expect(again.json["h"] as? String == handle)
            let session = try #require(await two.sessions().first)
            #expect(session.handle == handle)
            #expect(session.sha256 == (try await sha256sum(source.path)))

            let media = try #require(await two.mediaUploads().first)
            #expect(await two.mediaUploads().count == 1)
            #expect(media.id == mediaID)
            #expect(media.fileName == "photo.jpg")
            #expect(media.type == "image/jpeg")
            #expect(media.length == 20_000)
            #expect(media.messagingProduct == "whatsapp")
            #expect(media.sha256 == (try await sha256sum(photo.path)))
            #expect(try await sha256sum(media.path) == media.sha256)
        }
    }

    @Test func receivedCountIsTheDataFilesSizeAfterACrash() async throws {
        let source = try makeFile(30_000, seed: 8)
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let one = try await SandboxFixture(apiKey: testKey, storageDirectory: dir)
        let id = try await one.server.createSession(length: 30_000)
        let path = try #require(await one.server.sessions().first?.path)
        await one.stop()
        // A sandbox killed mid-body leaves the bytes it wrote and nothing else: write them by hand.
        try source.data.prefix(12_345).write(to: URL(fileURLWithPath: path))

        try await withSandbox(storage: dir) { two in
            #expect(try await two.status(id).json["file_offset"] as? Int == 12_345)
            let rest = try writeTemp(source.data.suffix(from: 12_345))
            let done = try await two.post(id, offset: 12_345, file: rest)
            #expect(done.json["h"] is String, "\(done.body)")
            #expect(await two.sessions().first?.sha256 == (try await sha256sum(source.path)))
        }
    }

    @Test func corruptOrUnknownStateFilesDoNotStopTheStart() async throws {
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = try await SandboxFixture(apiKey: testKey, storageDirectory: dir)
        let id = try await one.server.createSession(length: 100)
        await one.stop()

        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/session-Zm9v.json"))
        try Data("{\"version\":1}".utf8).write(to: URL(fileURLWithPath: dir + "/session-YmFy.json"))
        try Data().write(to: URL(fileURLWithPath: dir + "/media-123.json"))
        try Data("[1,2]".utf8).write(to: URL(fileURLWithPath: dir + "/other.json"))
        try Data("half".utf8).write(to: URL(fileURLWithPath: dir + "/.session-x.json.1234abcd.tmp"))

        try await withSandbox(storage: dir) { two in
            #expect(await two.sessions().map(\.id) == [id])
            #expect(await two.mediaUploads().isEmpty)
            #expect(try await two.status(id).status == 200)
            // A left-over temporary file is cleared away.
            #expect(!FileManager.default.fileExists(atPath: dir + "/.session-x.json.1234abcd.tmp"))
            // New sessions still work and are listed after the restored one.
            let fresh = try await two.createSession(length: 5)
            #expect(await two.sessions().map(\.id) == [id, fresh])
        }
    }

    @Test func expiryByHandSurvivesARestart() async throws {
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = try await SandboxFixture(apiKey: testKey, storageDirectory: dir)
        let id = try await one.server.createSession(length: 10)
        await one.server.expireAllSessions()
        await one.stop()

        try await withSandbox(storage: dir) { two in
            let r = try await two.status(id)
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "upload session not found or expired")
            #expect(await two.sessions().first?.isExpired == true)
        }
    }

    @Test func lifetimeCountsFromTheStoredCreationTime() async throws {
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = try await SandboxFixture(apiKey: testKey, storageDirectory: dir)
        let old = try await one.server.createSession(length: 10)
        try await Task.sleep(for: .milliseconds(3_500))
        await one.stop()

        // Restarted with a lifetime the old session has outlived: expired at once,
        // while one created now is live.
        try await withSandbox(storage: dir, { $0.sessionLifetime = 3 }) { two in
            let fresh = try await two.createSession(length: 10)
            #expect(try await two.status(old).status == 400)
            #expect(try await two.status(fresh).status == 200)
            #expect(await two.sessions().map(\.isExpired) == [true, false])
        }
    }
}
