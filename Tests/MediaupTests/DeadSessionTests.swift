import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

@Suite("mediaup upload of a session the server no longer accepts")
struct DeadSessionTests {
    /// Starts `upload file`, and interrupts it once the server holds some bytes, so the
    /// journal keeps the session with its server id.
    private func interruptedUpload(_ bed: BinaryBed, _ file: String) async throws {
        let running = try bed.start(["upload", file])
        #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 200_000 })
        running.process.interrupt()
        #expect(await running.outcome().status == 1)
    }

    /// Reruns `upload file` (or another command) until it ends done, at most `runs` times;
    /// returns the outcomes.
    private func rerunUntilDone(
        _ bed: BinaryBed, _ file: String, environment: [String: String], runs: Int, command: [String]? = nil
    ) async throws -> [ProcessOutcome] {
        var outcomes: [ProcessOutcome] = []
        for _ in 0..<runs {
            let outcome = try await bed.run(command ?? ["upload", "--json", file], environment: environment)
            outcomes.append(outcome)
            if outcome.status == 0 { break }
        }
        return outcomes
    }

    @Test("an expired session: the rerun after the one that found it expired starts a new session and ends done")
    func expiredSessionStartsAgain() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let file = bed.makeFile("expires.png", size: 2_000_000)
            try await interruptedUpload(bed, file)
            let first = try #require(await bed.server.sessions().first)
            await bed.server.expireAllSessions()

            let outcomes = try await rerunUntilDone(bed, file, environment: bed.environment, runs: 3)
            let found = try #require(outcomes.first)
            #expect(found.status == 1)
            #expect(found.stdout.contains("the next run starts a new session from byte 0"), "\(found.stdout)")
            let last = try #require(outcomes.last)
            #expect(outcomes.count == 2 && last.status == 0, "\(outcomes.map(\.stdout))")
            let sessions = await bed.server.sessions()
            let second = try #require(sessions.first { $0.id != first.id }, "a new session")
            #expect(second.sha256 == (try SHA256Digest.ofFile(at: file)))
        }
    }

    @Test("an expired session under resume --all: the rerun after the one that found it expired starts a new session and ends done")
    func expiredSessionResumesAgain() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let file = bed.makeFile("resumed.png", size: 2_000_000)
            try await interruptedUpload(bed, file)
            let first = try #require(await bed.server.sessions().first)
            await bed.server.expireAllSessions()

            let outcomes = try await rerunUntilDone(bed, file, environment: bed.environment, runs: 3, command: ["resume", "--all", "--json"])
            let found = try #require(outcomes.first)
            #expect(found.status == 1)
            #expect(found.stdout.contains("the next run starts a new session from byte 0"), "\(found.stdout)")
            let last = try #require(outcomes.last)
            #expect(outcomes.count == 2 && last.status == 0, "\(outcomes.map(\.stdout))")
            let second = try #require(await bed.server.sessions().first { $0.id != first.id }, "a new session")
            #expect(second.sha256 == (try SHA256Digest.ofFile(at: file)))
        }
    }

    @Test("a session refused with invalid signature after the server's secret changed: the rerun starts a new session and ends done")
    func invalidSignatureStartsAgain() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let file = bed.makeFile("resigned.png", size: 2_000_000)
            try await interruptedUpload(bed, file)
            let first = try #require(await bed.server.sessions().first)

            // The same address, a new signing secret: the journal's session id is refused.
            let environment = bed.environment
            let port = bed.server.port
            await bed.server.stop()
            try FileManager.default.removeItem(atPath: bed.directory + "/sandbox/sandbox-secret")
            var configuration = SandboxConfiguration(apiKey: BinaryBed.key, storageDirectory: bed.directory + "/sandbox")
            configuration.port = port
            let server = try await SandboxServer.start(configuration, logger: quietLogger("test.sandbox"))
            try await withTeardown(of: server, { await $0.stop() }) { server in
                let outcomes = try await rerunUntilDone(bed, file, environment: environment, runs: 3)
                let found = try #require(outcomes.first)
                #expect(found.status == 1)
                #expect(found.stdout.contains("invalid signature"), "\(found.stdout)")
                #expect(found.stdout.contains("the next run starts a new session from byte 0"), "\(found.stdout)")
                let last = try #require(outcomes.last)
                #expect(outcomes.count == 2 && last.status == 0, "\(outcomes.map(\.stdout))")
                // The old session's id now carries the new secret's signature: tell them apart by token.
                let token = { (id: String) in id.split(separator: "?").first.map(String.init) }
                let second = try #require(await server.sessions().first { token($0.id) != token(first.id) }, "a new session")
                #expect(second.sha256 == (try SHA256Digest.ofFile(at: file)))
            }
        }
    }
}
