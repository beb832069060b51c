import Foundation
import TestSupport
import Testing
import Transport
import UploadCore

/// The transport checks the descriptor it sends from against the version the sender
/// expects, and feeds a `SentBytesDigest` exactly the file bytes it sends, in order.
@Suite struct SentBytesTests {
    private static let ok: LoopbackServer.Mode = .respond { _ in CannedResponse(status: 200, body: Array("ok".utf8)) }

    private static func send(_ request: HTTPRequest) async -> TransportError? {
        do {
            _ = try await CurlTransport().send(
                request, limits: TransferLimits(connectTimeout: 5, stallTimeout: 10), control: TransferControl(), progress: { _ in })
            return nil
        } catch {
            return error
        }
    }

    private static func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sent-bytes-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test func aFileSwappedAfterTheSendersCheckIsRefusedBeforeAnyByte() async throws {
        let server = try LoopbackServer(Self.ok)
        defer { server.stop() }
        let path = try Self.file(Self.random(100_000))
        defer { unlink(path) }
        // The sender checks the path, then another file of the same size is renamed over it.
        let checked = try FileIdentity.read(path: path).get()
        let other = try Self.file(Self.random(100_000))
        try #require(rename(other, path) == 0)
        let request = HTTPRequest(
            method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 100_000, version: checked)])
        let error = await Self.send(request)
        guard case .fileChanged(let failedPath, _) = error else {
            Issue.record("the swapped file was not refused: \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
        #expect(server.acceptedConnections == 0, "the server was reached")
    }

    @Test func theExpectedVersionIsSent() async throws {
        let server = try LoopbackServer(Self.ok)
        defer { server.stop() }
        let content = Self.random(50_000)
        let path = try Self.file(content)
        defer { unlink(path) }
        let version = try FileIdentity.read(path: path).get()
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 50_000, version: version)])
        #expect(await Self.send(request) == nil)
        #expect(server.requests.first?.body == content)
    }

    @Test func aRequestFromAnOffsetCatchesTheDigestUpFromTheSameFileAndFeedsItTheRest() async throws {
        let server = try LoopbackServer(Self.ok)
        defer { server.stop() }
        // Past the 1 MiB catch-up piece and curl's 512 KiB reads.
        let content = Self.random((3 << 20) + 12_345)
        let path = try Self.file(content)
        defer { unlink(path) }
        let digest = SentBytesDigest()
        let offset = 1_500_000
        let request = HTTPRequest(
            method: .post, url: server.baseURL + "/u",
            body: [.bytes([1, 2]), .file(path: path, offset: Int64(offset), length: Int64(content.count - offset), digest: digest)])
        #expect(await Self.send(request) == nil)
        #expect(server.requests.first?.body == [1, 2] + content[offset...])
        #expect(digest.position == Int64(content.count))
        #expect(digest.hexDigest(ifLength: Int64(content.count)) == SHA256Digest.hex(of: content))
    }

    @Test func aDigestAheadOfTheRequestStartsOverAndCatchesUp() async throws {
        let server = try LoopbackServer(Self.ok)
        defer { server.stop() }
        let content = Self.random(2_000_000)
        let path = try Self.file(content)
        defer { unlink(path) }
        let digest = SentBytesDigest()
        // The first request's bytes all went into the digest; the server kept only 600,000.
        let first = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 1_000_000, digest: digest)])
        #expect(await Self.send(first) == nil)
        #expect(digest.position == 1_000_000)
        let second = HTTPRequest(
            method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 600_000, length: 1_400_000, digest: digest)])
        #expect(await Self.send(second) == nil)
        #expect(digest.hexDigest(ifLength: 2_000_000) == SHA256Digest.hex(of: content))
    }

    @Test func anEmptyPartAtTheEndStillCatchesTheDigestUp() async throws {
        let server = try LoopbackServer(Self.ok)
        defer { server.stop() }
        let content = Self.random(300_000)
        let path = try Self.file(content)
        defer { unlink(path) }
        let digest = SentBytesDigest()
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 300_000, length: 0, digest: digest)])
        #expect(await Self.send(request) == nil)
        #expect(server.requests.first?.body.isEmpty == true)
        #expect(digest.hexDigest(ifLength: 300_000) == SHA256Digest.hex(of: content))
    }

    @Test func aDigestThatMissedBytesGivesNoHex() async throws {
        let server = try LoopbackServer(Self.ok)
        defer { server.stop() }
        let content = Self.random(200_000)
        let path = try Self.file(content)
        defer { unlink(path) }
        let digest = SentBytesDigest()
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 150_000, digest: digest)])
        #expect(await Self.send(request) == nil)
        #expect(digest.position == 150_000)
        #expect(digest.hexDigest(ifLength: 200_000) == nil)
    }
}
