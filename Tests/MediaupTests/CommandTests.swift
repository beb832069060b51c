import Foundation
import Sandbox
import TestSupport
import Testing
import Transport
import UploadCore

@Suite("mediaup commands")
struct CommandTests {
    @Test("upload --json: one line per file with the contract's keys; exit 0")
    func uploadJSON() async throws {
        try await withBinaryBed { bed in
            let png = bed.makeFile("poster one.png", size: 400_000)
            let pdf = bed.makeFile("menu.pdf", size: 300_000, magic: Magic.pdf)
            let outcome = try await bed.run(["upload", "--json", "--sha256", png, pdf])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.lines.count == 2)
            let objects = outcome.objects
            #expect(objects.count == 2)
            let keys = [
                "file", "state", "via", "session_id", "handle", "media_id", "bytes", "sha256", "attempts", "error", "warnings", "reused",
                "expires_at",
            ]
            for object in objects {
                #expect(Set(object.keys) == Set(keys))
                #expect(object["state"] as? String == "done")
                #expect(object["via"] as? String == "resumable")
                #expect(object["media_id"] is NSNull)
                #expect(object["error"] is NSNull)
            }
            let byFile = Dictionary(uniqueKeysWithValues: objects.map { ($0["file"] as? String ?? "", $0) })
            let stored = await bed.server.sessions()
            for path in [png, pdf] {
                let object = try #require(byFile[path])
                let sha = try SHA256Digest.ofFile(at: path)
                #expect(object["sha256"] as? String == sha)
                #expect(stored.contains { $0.sha256 == sha && $0.handle == object["handle"] as? String })
            }
            #expect(outcome.stderr.isEmpty, "stderr: \(outcome.stderr)")
        }
    }

    @Test("upload --via media returns a media id")
    func uploadMedia() async throws {
        try await withBinaryBed { bed in
            let png = bed.makeFile("logo.png", size: 100_000)
            let outcome = try await bed.run(["upload", "--via", "media", "--json", png])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let object = try #require(outcome.objects.first)
            let media = try #require(await bed.server.mediaUploads().first)
            #expect(object["media_id"] as? String == media.id)
            #expect(object["handle"] is NSNull)
            // Hashed without --sha256: a later upload of the same bytes reuses the id.
            #expect(object["sha256"] as? String == media.sha256)
            #expect(media.sha256 == (try SHA256Digest.ofFile(at: png)))
        }
    }

    @Test("refused files fail with a reason; the good one still goes; exit 1")
    func refusals() async throws {
        try await withBinaryBed { bed in
            let good = bed.makeFile("ok.png", size: 1000)
            let huge = bed.makeFile("huge.png", size: 5 * 1024 * 1024 + 1)
            let gif = bed.makeFile("anim.png", size: 100, magic: Magic.gif)
            let missing = bed.directory + "/files/missing.png"
            let outcome = try await bed.run(["upload", "--json", good, huge, gif, missing, bed.directory])
            #expect(outcome.status == 1)
            let byFile = Dictionary(uniqueKeysWithValues: outcome.objects.map { ($0["file"] as? String ?? "", $0) })
            #expect(byFile.count == 5)
            #expect(byFile[good]?["state"] as? String == "done")
            #expect((byFile[huge]?["error"] as? String)?.contains("limit for image") == true)
            #expect((byFile[gif]?["error"] as? String)?.contains("image/gif") == true)
            #expect((byFile[missing]?["error"] as? String)?.contains("no such file") == true)
            #expect((byFile[bed.directory]?["error"] as? String)?.contains("is a folder") == true)
            #expect(await bed.server.sessions().count == 1)
        }
    }

    @Test("bad configuration exits 2 with a one-line reason, and the key is never echoed")
    func configurationErrors() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("a.png", size: 100)
            var noKey = bed.environment
            noKey["D360_API_KEY"] = nil
            let cases: [([String], [String: String], String)] = [
                (["upload", file], noKey, "no API key"),
                (["upload", "--base-url", "http://example.com", file], bed.environment, "refusing http://"),
                (["upload", "--base-url", "::nonsense", file], bed.environment, "not a valid URL"),
                (["upload", "--parallel", "0", file], bed.environment, "--parallel"),
                (["upload", "--via", "carrier-pigeon", file], bed.environment, "carrier-pigeon"),
                (["upload", "--state-dir", file + "/sub", file], bed.environment, "state directory"),
            ]
            for (arguments, environment, expected) in cases {
                let outcome = try await bed.run(arguments, environment: environment)
                #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
                #expect(outcome.stderr.contains(expected), "\(arguments): \(outcome.stderr)")
                #expect(outcome.stdout.isEmpty)
                #expect(!outcome.stderr.contains(BinaryBed.key))
            }
        }
    }

    @Test("a wrong key fails the file with the server's reason, without retries")
    func wrongKey() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("a.png", size: 100)
            var environment = bed.environment
            environment["D360_API_KEY"] = "not-the-key-9876"
            let outcome = try await bed.run(["upload", "--json", file], environment: environment)
            #expect(outcome.status == 1)
            let object = try #require(outcome.objects.first)
            #expect((object["error"] as? String)?.contains("refused the API key") == true)
            #expect(object["attempts"] as? Int == 1)
            #expect(!outcome.stdout.contains("not-the-key-9876") && !outcome.stderr.contains("not-the-key-9876"))
        }
    }

    @Test("kill -9 mid-file, then the same command finishes from the journal")
    func killAndRerun() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("big.pdf", size: 4_000_000, magic: Magic.pdf)
            let running = try bed.start(["upload", "--json", file])
            let started = await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 800_000 }
            #expect(started)
            kill(running.process.processIdentifier, SIGKILL)
            _ = await running.outcome()
            #expect(running.process.terminationReason == .uncaughtSignal)
            let before = try #require(await bed.server.sessions().first)
            #expect(before.receivedBytes < 4_000_000)

            let outcome = try await bed.run(["upload", "--json", "--sha256", file])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let object = try #require(outcome.objects.first)
            #expect(object["state"] as? String == "done")
            let sessions = await bed.server.sessions()
            #expect(sessions.count == 1, "the rerun must continue the session, not start a new one")
            let session = try #require(sessions.first)
            #expect(session.sha256 == (try SHA256Digest.ofFile(at: file)))
            #expect(object["sha256"] as? String == session.sha256)
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }
            let resumedAt = Int64(posts.last?.fileOffset ?? "0") ?? 0
            #expect(resumedAt >= before.receivedBytes, "resumed at \(resumedAt), server had \(before.receivedBytes)")
        }
    }

    @Test("sessions, status and resume --all")
    func sessionsStatusResume() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let file = bed.makeFile("r.png", size: 3_000_000)
            let running = try bed.start(["upload", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 500_000 })
            running.process.interrupt()  // Ctrl-C: pauses cleanly
            let interrupted = await running.outcome()
            #expect(interrupted.status == 1)
            #expect(interrupted.stderr.contains("pausing uploads"))

            let listed = try await bed.run(["sessions", "--json"])
            #expect(listed.status == 0)
            let row = try #require(listed.objects.first)
            #expect(row["state"] as? String == "paused")
            let id = try #require(row["id"] as? String)
            let offset = try #require(row["server_offset"] as? Int)
            #expect(offset > 0)

            let status = try await bed.run(["status", id])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("the server holds"))
            #expect(status.stdout.contains("of 3000000 bytes"))

            let resumed = try await bed.run(["resume", "--all", "--json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.objects.first?["state"] as? String == "done")
            #expect(resumed.objects.first?["session_id"] as? String == id)
            #expect(await bed.server.sessions().first?.sha256 == (try SHA256Digest.ofFile(at: file)))

            let unknown = try await bed.run(["status", "nope"])
            #expect(unknown.status == 1)
        }
    }

    @Test("forget --done clears finished sessions, and the file goes again next time; unknown ids exit 1")
    func forgetDone() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("f.png", size: 200_000)
            #expect(try await bed.run(["upload", file]).status == 0)
            let again = try await bed.run(["upload", "--json", file])
            #expect(again.objects.first?["state"] as? String == "done")
            #expect(await bed.server.sessions().count == 1, "a done file is not sent twice")

            let usage = try await bed.run(["forget"])
            #expect(usage.status == 2 && usage.stderr.contains("--done"))
            let unknown = try await bed.run(["forget", "nope"])
            #expect(unknown.status == 1 && unknown.stderr.contains("no session nope"))
            let forgot = try await bed.run(["forget", "--done"])
            #expect(forgot.status == 0, "\(forgot.stderr)")
            #expect(forgot.stdout == "forgot 1 session\n")
            #expect(try await bed.run(["sessions", "--json"]).objects.isEmpty)

            #expect(try await bed.run(["upload", file]).status == 0)
            #expect(await bed.server.sessions().count == 2, "forgotten, the file is sent anew")
        }
    }
}

@Suite("Two processes on one journal")
struct SharedJournalTests {
    @Test("a screen's uploader shows another process's session, then takes it over when that process dies")
    func screenTakesOver() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("watched.pdf", size: 4_000_000, magic: Magic.pdf)
            let other = try bed.start(["upload", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 300_000 })

            let journal = try Journal(stateDirectory: bed.directory + "/state")
            let api = MediaAPI(endpoint: try APIEndpoint(baseURL: bed.server.baseURL, apiKey: BinaryBed.key), transport: CurlTransport())
            let uploader = Uploader(
                journal: journal, api: api, account: try ServerAccount(endpoint: api.endpoint, stateDirectory: bed.directory + "/state"),
                stateDirectory: bed.directory + "/state",
                options: Uploader.Options(takeOverPollInterval: 0.2), logger: quietLogger("test"))
            let loaded = try #require(try await uploader.loadJournal().first)
            #expect(loaded.activeElsewhere)
            #expect(loaded.session.state.isActive)

            kill(other.process.processIdentifier, SIGKILL)
            #expect(await eventually { await uploader.snapshot(id: loaded.id)?.session.state == .done })
            let sessions = await bed.server.sessions()
            #expect(sessions.count == 1, "taken over, not started again")
            #expect(sessions.first?.sha256 == (try SHA256Digest.ofFile(at: file)))
        }
    }

    @Test("a second upload of the same file, interrupted while it waits for the first, writes nothing over the first's row")
    func interruptedWaitWritesNothing() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("waited.pdf", size: 4_000_000, magic: Magic.pdf)
            let first = try bed.start(["upload", "--json", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 300_000 })
            let second = try bed.start(["upload", "--json", file])
            // It finds the same session held and waits for it.
            try await Task.sleep(for: .milliseconds(800))
            kill(second.process.processIdentifier, SIGINT)
            let interrupted = await second.outcome()
            #expect(interrupted.status == 1, "\(interrupted.stderr)")
            #expect(interrupted.stderr.hasPrefix("mediaup: pausing uploads"), "no stray empty line in a file: \(interrupted.stderr.debugDescription)")
            #expect((interrupted.objects.first?["error"] as? String)?.contains("another mediaup process") == true, "\(interrupted.stdout)")

            let listed = try await bed.run(["sessions", "--json"])
            #expect(listed.objects.count == 1)
            #expect(listed.objects.first?["state"] as? String == "uploading", "not written over as paused: \(listed.stdout)")
            #expect(listed.objects.first?["active_elsewhere"] as? Bool == true)

            let outcome = await first.outcome()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(await bed.server.sessions().count == 1)
            #expect(await bed.server.sessions().first?.sha256 == (try SHA256Digest.ofFile(at: file)))
        }
    }

    @Test("a session one process uploads is left alone by the other, which takes over when the first dies")
    func takeOver() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("shared.pdf", size: 5_000_000, magic: Magic.pdf)
            let first = try bed.start(["upload", "--json", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 500_000 })

            let listed = try await bed.run(["sessions", "--json"])
            #expect(listed.objects.first?["active_elsewhere"] as? Bool == true)

            let second = try bed.start(["resume", "--all", "--json"])
            // While the first process lives, the second sends nothing.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(await bed.server.sessions().first?.uploadRequests == 1)

            kill(first.process.processIdentifier, SIGKILL)
            let outcome = await second.outcome()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.objects.first?["state"] as? String == "done")
            let sessions = await bed.server.sessions()
            #expect(sessions.count == 1)
            #expect(sessions.first?.sha256 == (try SHA256Digest.ofFile(at: file)))
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }
            #expect(posts.count >= 2)
            #expect((Int64(posts.last?.fileOffset ?? "0") ?? 0) > 0, "the second process continued; it did not start over")
        }
    }
}
