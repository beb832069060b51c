import Foundation
import TestSupport
import Testing

@testable import UploadCore

/// Failures that the same request can never get past fail at once and stop the run, as a
/// refused key does: no file is retried, the files not started are not sent.
@Suite("permanent failures")
struct PermanentFailureTests {
    /// Adds `count` files and waits until every row has settled.
    private func uploadAll(_ bed: TestBed, _ uploader: Uploader, count: Int, route: UploadRoute = .resumable) async throws -> [UploadSnapshot] {
        var ids: [String] = []
        for index in 0..<count {
            let file = bed.makeFile("p\(index).png", size: 2000)
            ids.append(try await uploader.add(path: file, route: route).snapshot.id)
        }
        return await uploader.waitUntilSettled(ids)
    }

    /// Asserts the run stopped at the first failure: one attempt, its message
    /// containing `text`, every other row failed unsent.
    private func expectStoppedAtOnce(_ results: [UploadSnapshot], saying text: String) {
        #expect(results.allSatisfy { $0.session.state == .failed })
        #expect(results[0].session.attempts == 1, "\(results[0].session.lastError ?? "")")
        #expect(results[0].session.lastError?.contains(text) == true, "\(results[0].session.lastError ?? "")")
        for result in results.dropFirst() {
            #expect(result.session.attempts == 0)
            #expect(result.session.lastError?.hasPrefix("not sent") == true, "\(result.session.lastError ?? "")")
        }
    }

    @Test("a key that would make a header that cannot be built (a NUL in it) is refused before an uploader exists")
    func malformedHeader() async throws {
        try await withTestBed { bed in
            // The transport refuses such a header too (a halt, like the certificate below),
            // but the endpoint refuses the key first, as bad configuration.
            #expect(throws: ConfigurationError.self) { try bed.makeUploader(key: "key-with-\u{0}-nul", parallel: 1) }
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    @Test("a certificate that is not trusted (self-signed, openssl s_server) fails at once and stops the run")
    func untrustedCertificate() async throws {
        let folder = try TemporaryFolder.make(prefix: "mediaup-tls")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try await RunningProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem", "-days", "1",
                "-subj", "/CN=127.0.0.1",
            ])
        try #require(made.status == 0, "openssl req: \(made.stderr)")
        let port = closedPort()
        let server = try RunningProcess(
            "/usr/bin/openssl", ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", folder + "/cert.pem", "-key", folder + "/key.pem", "-www"])
        defer { server.process.terminate() }
        let listening = await eventually {
            ((try? String(contentsOfFile: server.stdoutPath, encoding: .utf8)) ?? "").contains("ACCEPT")
        }
        try #require(listening, "openssl s_server did not start")
        try await withTestBed { bed in
            let uploader = try bed.makeUploader(parallel: 1, baseURL: "https://127.0.0.1:\(port)")
            let results = try await uploadAll(bed, uploader, count: 3)
            expectStoppedAtOnce(results, saying: "certificate")
        }
    }

    @Test("a TLS handshake that breaks (https to a plain-HTTP port) may be passing trouble: it is still retried")
    func brokenHandshakeIsRetried() async throws {
        try await withTestBed { bed in
            let plain = bed.server.baseURL.replacingOccurrences(of: "http://", with: "https://")
            let uploader = try bed.makeUploader(retries: 1, parallel: 1, baseURL: plain)
            let results = try await uploadAll(bed, uploader, count: 1)
            #expect(results[0].session.state == .failed)
            #expect(results[0].session.attempts == 2, "\(results[0].session.lastError ?? "")")
        }
    }

    @Test("404 to POST /uploads (a base URL with a wrong path) is a wrong URL: fails at once saying so, stops the run")
    func wrongPathOnCreate() async throws {
        try await withTestBed { bed in
            let uploader = try bed.makeUploader(parallel: 1, baseURL: bed.server.baseURL + "/wrong")
            let results = try await uploadAll(bed, uploader, count: 3)
            expectStoppedAtOnce(results, saying: "answered 404 to POST /uploads: is the base URL right?")
            #expect(results.allSatisfy { $0.session.state != .expired })
        }
    }

    @Test("404 to POST /media (a base URL with a wrong path) is a wrong URL: fails at once saying so, stops the run")
    func wrongPathOnMedia() async throws {
        try await withTestBed { bed in
            let uploader = try bed.makeUploader(parallel: 1, baseURL: bed.server.baseURL + "/wrong")
            let results = try await uploadAll(bed, uploader, count: 2, route: .media)
            expectStoppedAtOnce(results, saying: "answered 404 to POST /media: is the base URL right?")
        }
    }
}
