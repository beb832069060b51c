import Foundation
import Sandbox
import Synchronization
import TestSupport
import Testing

/// The scoped helpers stop what they started before they return, not some time later.
@Suite struct TeardownTests {
    struct Planned: Error {}

    /// What the throwing body saw, read after it threw.
    final class Seen: Sendable {
        let value = Mutex<(directory: String, url: String)?>(nil)
    }

    /// `curl`'s exit status for a GET of `url`: 7 when nothing accepts the connection. The
    /// time limit only matters for a live server, which a loaded machine may answer slowly.
    static func curlStatus(_ url: String) async throws -> Int32 {
        try await RunningProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "--max-time", "60", url]).status
    }

    @Test("when the body returns, the sandbox's folder is gone and its port refuses connections")
    func stopsAfterReturn() async throws {
        let (directory, url) = try await withSandbox(apiKey: "teardown-key") { fixture in
            #expect(FileManager.default.fileExists(atPath: fixture.directory + "/files"))
            // Answered (401 without the key): the check below can tell a live sandbox.
            let live = try await Self.curlStatus(fixture.server.baseURL + "/uploads")
            #expect(live == 0)
            return (fixture.directory, fixture.server.baseURL + "/uploads")
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(try await Self.curlStatus(url) == 7)
    }

    @Test("when the body throws, the error comes through and the sandbox is stopped all the same")
    func stopsAfterThrow() async throws {
        let seen = Seen()
        await #expect(throws: Planned.self) {
            try await withSandbox(apiKey: "teardown-key") { fixture in
                seen.value.withLock { $0 = (fixture.directory, fixture.server.baseURL + "/uploads") }
                throw Planned()
            }
        }
        let (directory, url) = try #require(seen.value.withLock { $0 })
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(try await Self.curlStatus(url) == 7)
    }

    @Test("a tmux session is killed when the body returns")
    func killsTmuxSession() async throws {
        let session = try await TmuxSession(command: ["sleep", "600"])
        let running = try await withTmuxSession(session) { await $0.isRunning }
        #expect(running)
        #expect(!FileManager.default.fileExists(atPath: session.socketPath))
        #expect(await !session.isRunning)
    }
}
