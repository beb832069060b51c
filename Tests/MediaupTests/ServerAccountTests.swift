import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// "Already sent today", resume and re-use hold for one server and one account: a handle
/// from one means nothing to another.
@Suite("Journal rows belong to a server and an account", .serialized)
struct ServerAccountTests {
    /// The bed's environment pointed at another server and key.
    static func environment(_ bed: BinaryBed, baseURL: String, key: String) -> [String: String] {
        var environment = bed.environment
        environment["MEDIAUP_BASE_URL"] = baseURL
        environment["D360_API_KEY"] = key
        return environment
    }

    @Test("the README's sandbox example, then a real run: the file is sent to the real server")
    func sandboxThenRealServer() async throws {
        try await withBinaryBed { real in
            try await withTeardown(of: try await SandboxFixture(apiKey: "sandbox"), { await $0.stop() }) { sandbox in
                let file = real.makeFile("poster.png", size: 200_000)
                let sha = try SHA256Digest.ofFile(at: file)
                let first = try await real.run(
                    ["upload", "--json", file], environment: Self.environment(real, baseURL: sandbox.server.baseURL, key: "sandbox"))
                #expect(first.status == 0, "\(first.stderr)")
                let sandboxHandle = first.objects.first?["handle"] as? String

                let second = try await real.run(["upload", "--json", file])
                let handle = second.objects.first?["handle"] as? String
                #expect(second.status == 0, "\(second.stderr)")
                #expect(handle != sandboxHandle, "the sandbox's handle was reported for the real server")
                let stored = await real.server.sessions().first { $0.handle != nil && $0.handle == handle }
                #expect(stored?.sha256 == sha, "the real server does not hold the file")

                let listed = try await real.run(["sessions", "--json"])
                let servers = Set(listed.objects.compactMap { $0["base_url"] as? String })
                #expect(servers == [sandbox.server.baseURL, real.server.baseURL], "\(listed.stdout)")
                #expect(!listed.stdout.contains(BinaryBed.key) && !listed.stdout.contains("\"sandbox\""))
            }
        }
    }

    @Test("the same file with another key on the same server is not reported as sent")
    func anotherKey() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("card.png", size: 100_000)
            let first = try await bed.run(["upload", "--json", file])
            #expect(first.status == 0, "\(first.stderr)")
            let firstHandle = try #require(first.objects.first?["handle"] as? String)
            let requests = await bed.server.requestLog().count

            // The sandbox refuses this key: what matters is that mediaup asks, not what it hears.
            let second = try await bed.run(
                ["upload", "--json", file], environment: Self.environment(bed, baseURL: bed.server.baseURL, key: "another-account-key"))
            #expect(second.objects.first?["handle"] as? String != firstHandle, "the other account's handle was reported")
            #expect(await bed.server.requestLog().count > requests, "nothing was sent for the other account")
        }
    }

    @Test("resume of a session begun on another server refuses, saying so")
    func resumeOnAnotherServer() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 500_000 }) { bed in
            try await withTeardown(of: try await SandboxFixture(apiKey: BinaryBed.key), { await $0.stop() }) { other in
                let file = bed.makeFile("long.pdf", size: 3_000_000, magic: Magic.pdf)
                let running = try bed.start(["upload", "--json", file])
                let reached = await eventually { await bed.server.sessions().contains { $0.receivedBytes > 200_000 } }
                kill(running.process.processIdentifier, SIGKILL)
                _ = await running.outcome()
                try #require(reached)
                let listed = try await bed.run(["sessions", "--json"])
                let id = try #require(listed.objects.first?["id"] as? String)

                let resumed = try await bed.run(
                    ["resume", "--json", id], environment: Self.environment(bed, baseURL: other.server.baseURL, key: BinaryBed.key))
                #expect(resumed.status != 0, "\(resumed.stdout)")
                #expect(resumed.stdout.contains("another server") || resumed.stderr.contains("another server"), "\(resumed.stdout) \(resumed.stderr)")
                #expect(await other.server.requestLog().isEmpty, "the other server was asked about this session")
            }
        }
    }
}
