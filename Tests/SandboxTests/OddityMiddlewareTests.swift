import Foundation
import Testing

@testable import Sandbox

/// The oddities at the HTTP level: the middleware rewrites whole, well-formed replies
/// (their length is the new body's), applies each oddity as often as asked, and changes
/// what a session holds only for the kinds that say so.
@Suite("Oddity middleware")
struct OddityMiddlewareTests {
    @Test("offset ahead, then as a string: each once, each a complete JSON reply; then the true offset")
    func rewrittenOffsets() async throws {
        let source = try makeFile(300_000)
        let first = try writeTemp(source.data.prefix(100_000))
        try await withSandbox({
            $0.oddities = [.init(.offsetAhead(by: 1_000_000), on: .status), .init(.offsetAsString, on: .status)]
        }) { server in
            let id = try await server.createSession(length: 300_000)
            #expect(try await server.post(id, offset: 0, file: first).json["file_offset"] as? Int == 100_000)
            // Both apply to the first GET: shifted, then written as a string.
            let odd = try await server.status(id)
            #expect(odd.status == 200)
            #expect(odd.json["file_offset"] as? String == "1100000", "\(odd.body)")
            #expect(odd.json["id"] as? String == id)
            let plain = try await server.status(id)
            #expect(plain.json["file_offset"] as? Int == 100_000, "\(plain.body)")
            #expect(await server.sessions().first?.receivedBytes == 100_000)
        }
    }

    @Test("offset behind drops the session's last bytes and reports what is left")
    func offsetBehindDropsBytes() async throws {
        let source = try makeFile(300_000)
        let first = try writeTemp(source.data.prefix(100_000))
        try await withSandbox({ $0.oddities = [.init(.offsetBehind(by: 40_000), on: .status)] }) { server in
            let id = try await server.createSession(length: 300_000)
            _ = try await server.post(id, offset: 0, file: first)
            #expect(try await server.status(id).json["file_offset"] as? Int == 60_000)
            let session = try #require(await server.sessions().first)
            #expect(session.receivedBytes == 60_000)
            #expect(try Data(contentsOf: URL(fileURLWithPath: session.path)) == source.data.prefix(60_000))
        }
    }

    @Test("expire after N bytes: the body is read to its end, the answer is 'expired', and the session stays so")
    func expireAfterBytes() async throws {
        let source = try makeFile(300_000)
        try await withSandbox({ $0.oddities = [.init(.expireAfterBytes(100_000), on: .upload)] }) { server in
            let id = try await server.createSession(length: 300_000)
            let r = try await server.post(id, offset: 0, file: source.path)
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "upload session not found or expired")
            let session = try #require(await server.sessions().first)
            #expect(session.isExpired)
            #expect(session.receivedBytes >= 100_000 && session.receivedBytes < 300_000)
            #expect(session.totalBodyBytesReceived < 300_000, "bytes after the expiry are dropped, not stored")
            #expect(try await server.status(id).json["error"] as? String == "upload session not found or expired")
        }
    }

    @Test("a redirect answers before the handler: no session is created")
    func redirectBeforeWork() async throws {
        try await withSandbox({ $0.oddities = [.init(.redirect(location: "http://127.0.0.1:9"), on: .create)] }) { server in
            let r = try await curl(["-X", "POST", "\(server.baseURL)/uploads?file_name=a.png&file_length=5&file_type=image/png"])
            #expect(r.status == 307)
            #expect(r.headers.contains("http://127.0.0.1:9/uploads?file_name=a.png"))
            #expect(await server.sessions().isEmpty)
            #expect(await server.requestLog().map(\.status) == [307])
            _ = try await server.createSession(length: 5)
            #expect(await server.sessions().count == 1)
        }
    }
}
