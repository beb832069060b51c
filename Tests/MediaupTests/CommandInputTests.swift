import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// What the user types — options, session ids, the config file, the environment — is
/// checked before anything starts, and each kind of problem gets the exit code the
/// README's table gives it.
@Suite("Command input: options, ids, config, log, sandbox")
struct CommandInputTests {
    // MARK: - Base URL

    @Test("a base URL with a port out of range or an empty host: exit 2 before anything is sent")
    func badBaseURLs() async throws {
        for url in ["http://127.0.0.1:99999", "http://127.0.0.1:0", "http://:8360", "https://[]:443", "http://127.0.0.1:80x"] {
            try await BadInputTests.expectBadConfiguration(["upload", "--json", "--base-url", url], saying: "base URL")
        }
    }

    // MARK: - Session ids

    /// The session id `status` printed (second word, the server's id without its signature).
    static func printedServerID(_ outcome: ProcessOutcome) -> String {
        outcome.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) } ?? ""
    }

    @Test("an unknown id exits 1 from status, resume and forget alike")
    func unknownIDs() async throws {
        try await withBinaryBed { bed in
            for command in [["status", "nope"], ["resume", "nope"], ["forget", "nope"]] {
                let outcome = try await bed.run(command)
                #expect(outcome.status == 1, "\(command): \(outcome.stderr)")
                #expect(outcome.stderr.contains("no session nope"), "\(command): \(outcome.stderr)")
                #expect(!outcome.stderr.contains("nope: "), "the id is said once: \(command): \(outcome.stderr)")
            }
        }
    }

    @Test("status, resume and forget take the local id, the server id with or without its query, and a unique prefix")
    func idForms() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("ids.png", size: 5000)
            let uploaded = try await bed.run(["upload", "--json", file])
            #expect(uploaded.status == 0, "\(uploaded.stderr)")
            let id = try #require(uploaded.objects.first?["session_id"] as? String)
            let row = try #require(try await bed.run(["sessions", "--json"]).objects.first)
            let remote = try #require(row["remote_session_id"] as? String)
            #expect(remote.contains("?sig="))

            let status = try await bed.run(["status", id])
            #expect(status.status == 0, "\(status.stderr)")
            let printed = Self.printedServerID(status)
            #expect(printed == MediaAPI.redacted(remote), "\(status.stdout)")
            #expect(!status.stdout.contains("sig="))

            for form in [id, remote, printed, String(id.prefix(5))] {
                let again = try await bed.run(["status", form])
                #expect(again.status == 0, "status \(form): \(again.stderr)")
                #expect(again.stdout.hasPrefix(id + " "), "status \(form): \(again.stdout)")
                let resumed = try await bed.run(["resume", "--json", form])
                #expect(resumed.status == 0, "resume \(form): \(resumed.stderr)")
                #expect(resumed.objects.first?["session_id"] as? String == id, "resume \(form): \(resumed.stdout)")
            }
            let forgot = try await bed.run(["forget", printed])
            #expect(forgot.status == 0, "\(forgot.stderr)")
            #expect(forgot.stdout == "forgot 1 session\n")
        }
    }

    @Test("an ambiguous prefix exits 1 naming the candidates, and forgets nothing")
    func ambiguousPrefix() async throws {
        try await withBinaryBed { bed in
            // 17 ids of hex digits: two of them share their first digit.
            let files = (0..<17).map { bed.makeFile("amb\($0).png", size: 300) }
            let uploaded = try await bed.run(["upload", "--json", "--via", "media"] + files)
            #expect(uploaded.status == 0, "\(uploaded.stderr)")
            let ids = uploaded.objects.compactMap { $0["session_id"] as? String }
            #expect(ids.count == 17)
            let groups = Dictionary(grouping: ids) { String($0.prefix(1)) }
            let (prefix, candidates) = try #require(groups.first { $0.value.count > 1 })
            for command in [["status", prefix], ["resume", prefix], ["forget", prefix]] {
                let outcome = try await bed.run(command)
                #expect(outcome.status == 1, "\(command): \(outcome.stderr)")
                #expect(outcome.stderr.contains("ambiguous"), "\(command): \(outcome.stderr)")
                for candidate in candidates { #expect(outcome.stderr.contains(candidate), "\(command): \(outcome.stderr)") }
            }
            #expect(try await bed.run(["sessions", "--json"]).objects.count == 17)
        }
    }

    // MARK: - Retry-After

    @Test("a Retry-After of an hour is capped at 5 minutes, and the message keeps the server's value")
    func retryAfterCapped() async throws {
        try await withBinaryBed({
            $0.rateLimitedCreates = 1; $0.retryAfterSeconds = 3600
        }) { bed in
            let file = bed.makeFile("later.png", size: 1000)
            let running = try bed.start(["upload", file])
            let said = await eventually {
                let text = (try? String(contentsOfFile: running.stderrPath, encoding: .utf8)) ?? ""
                return text.contains("the server asked for 3600 s; waiting 300 s")
            }
            running.process.interrupt()
            let outcome = await running.outcome()
            #expect(said, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("retry 1/5 in 300s"), "stderr: \(outcome.stderr)")
            #expect(!outcome.stderr.contains("in 3600s"))
        }
    }

    // MARK: - File descriptors

    @Test("--parallel 1000 under ulimit -n 128: parallelism fits the descriptor limit, said once, and 60 files all arrive")
    func parallelWithinDescriptorLimit() async throws {
        try await withBinaryBed { bed in
            let files = (0..<60).map { bed.makeFile("fd\($0).png", size: 20_000) }
            let outcome = try await RunningProcess.run(
                "/bin/sh", ["-c", "ulimit -n 128 && exec \"$0\" \"$@\"", BinaryBed.binary, "upload", "--json", "--parallel", "1000"] + files,
                environment: bed.environment)
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.objects.count == 60)
            #expect(outcome.objects.allSatisfy { $0["state"] as? String == "done" }, "\(outcome.stdout)")
            #expect(!outcome.stdout.contains("too many open files"))
            let notes = outcome.stderr.split(separator: "\n").filter { $0.contains("--parallel") }
            #expect(notes.count == 1, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("128"), "stderr: \(outcome.stderr)")
        }
    }

    // MARK: - Numeric options

    @Test("numeric options out of range or not finite: exit 2 naming the option, nothing sent")
    func numericOptions() async throws {
        let cases: [([String], String)] = [
            (["--stall-timeout", "1e-9"], "--stall-timeout"),
            (["--stall-timeout", "0.5"], "--stall-timeout"),
            (["--stall-timeout", "nan"], "--stall-timeout"),
            (["--stall-timeout", "inf"], "--stall-timeout"),
            (["--stall-timeout", "-5"], "--stall-timeout"),
            (["--retries", "-1"], "--retries cannot be negative"),
            (["--parallel", "0"], "--parallel"),
            (["--parallel", "-3"], "--parallel must be at least 1"),
            (["--chunk-size", "0"], "--chunk-size"),
        ]
        try await withBinaryBed { bed in
            let file = bed.makeFile("n.png", size: 1000)
            for (options, words) in cases {
                let outcome = try await bed.run(["upload"] + options + [file])
                #expect(outcome.status == 2, "\(options): \(outcome.stderr)")
                #expect(outcome.stderr.contains(words), "\(options): \(outcome.stderr)")
                #expect(!outcome.stderr.contains("Missing value"), "\(options): \(outcome.stderr)")
            }
            for options in [
                ["--stall-at", "10", "--stall-seconds", "nan"], ["--stall-at", "10", "--stall-seconds", "inf"], ["--fail-rate", "nan"],
            ] {
                let outcome = try await bed.run(["sandbox", "--port", "0", "--storage-dir", bed.directory + "/sb"] + options)
                #expect(outcome.status == 2, "\(options): \(outcome.stderr)")
            }
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    // MARK: - Config file

    /// Writes a private config file in the bed's folder and returns its path.
    static func writeConfig(_ text: String, bed: BinaryBed) -> String {
        let path = bed.directory + "/config-\(UUID().uuidString.prefix(6))"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    /// The bed's environment with the key and base URL left to the config file at `path`.
    static func configOnly(_ bed: BinaryBed, _ path: String) -> [String: String] {
        var environment = bed.environment
        environment["D360_API_KEY"] = nil
        environment["MEDIAUP_BASE_URL"] = nil
        environment["MEDIAUP_CONFIG"] = path
        return environment
    }

    @Test("a config file with CRLF lines, a leading comment, a comment after the value and escapes: the key and URL arrive exactly")
    func configFileFormat() async throws {
        try await withBinaryBed { bed in
            let text = "# mediaup\r\napi_key = \"\(BinaryBed.key)\"  # the sandbox's\r\nbase_url = \(bed.server.baseURL) # local\r\n"
            let path = Self.writeConfig(text, bed: bed)
            let file = bed.makeFile("c.png", size: 1000)
            let outcome = try await bed.run(["upload", "--json", file], environment: Self.configOnly(bed, path))
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.objects.first?["state"] as? String == "done", "\(outcome.stdout)")
        }
    }

    @Test("config problems: every one named with file and line, exit 2, the key never printed")
    func configFileProblems() async throws {
        try await withBinaryBed { bed in
            let text = "api_key = \"\(BinaryBed.key)\nbase_url = a\nbase_url = b\ncolour = blue\n"
            let path = Self.writeConfig(text, bed: bed)
            let file = bed.makeFile("p.png", size: 1000)
            let outcome = try await bed.run(["upload", "--json", file], environment: Self.configOnly(bed, path))
            #expect(outcome.status == 2, "stderr: \(outcome.stderr)")
            for line in [1, 3, 4] { #expect(outcome.stderr.contains("\(path), line \(line)"), "stderr: \(outcome.stderr)") }
            #expect(!outcome.stderr.contains(BinaryBed.key))
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    @Test("MEDIAUP_CONFIG naming nothing or a folder: exit 2, saying so")
    func configPathWrong() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("m.png", size: 1000)
            for path in [bed.directory + "/no-such-config", bed.directory] {
                var environment = bed.environment
                environment["MEDIAUP_CONFIG"] = path
                let outcome = try await bed.run(["upload", "--json", file], environment: environment)
                #expect(outcome.status == 2, "\(path): \(outcome.stderr)")
                #expect(outcome.stderr.contains(path), "\(path): \(outcome.stderr)")
            }
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    @Test("sessions and forget check the configuration too: a MEDIAUP_CONFIG naming nothing, a bad --base-url, exit 2, nothing forgotten")
    func everyCommandChecksTheConfiguration() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("kept.png", size: 1000)
            #expect(try await bed.run(["upload", file]).status == 0)
            var environment = bed.environment
            environment["MEDIAUP_CONFIG"] = bed.directory + "/no-such-config"
            for arguments in [["sessions"], ["forget", "--done"]] {
                let outcome = try await bed.run(arguments, environment: environment)
                #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
                #expect(outcome.stderr.contains("no-such-config"), "\(arguments): \(outcome.stderr)")
            }
            let badURL = try await bed.run(["sessions", "--base-url", "http://:99999"])
            #expect(badURL.status == 2 && badURL.stderr.contains("no host"), "\(badURL.stderr)")
            #expect(try await bed.run(["sessions", "--json"]).objects.count == 1, "nothing was forgotten")
        }
    }

    @Test("an empty --state-dir, a state folder under a file, a base URL with a password, a tiny open-file limit: exit 2, saying why")
    func unusableSettings() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("s.png", size: 1000)
            let folder = try TemporaryFolder.make(prefix: "mediaup-cwd")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let empty = try await RunningProcess.run(
                BinaryBed.binary, ["sessions", "--state-dir", ""], environment: bed.environment, workingDirectory: folder)
            #expect(empty.status == 2 && empty.stderr.contains("--state-dir is empty"), "\(empty.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "no journal in the current folder")

            let underFile = try await bed.run(["sessions", "--state-dir", file + "/state"])
            #expect(underFile.status == 2 && underFile.stderr.contains("Not a directory"), "\(underFile.stderr)")
            #expect(!underFile.stderr.contains("NSCocoaErrorDomain"))

            let withPassword = bed.server.baseURL.replacingOccurrences(of: "http://", with: "http://user:PASSWORD@")
            let credentials = try await bed.run(["upload", "--base-url", withPassword, file])
            #expect(credentials.status == 2 && credentials.stderr.contains("user name or password"), "\(credentials.stderr)")
            #expect(!credentials.stderr.contains("PASSWORD"))
            #expect(await bed.server.requestLog().isEmpty)

            let tiny = try await RunningProcess.run(
                "/bin/sh", ["-c", "ulimit -n 20 && exec \"$0\" \"$@\"", BinaryBed.binary, "upload", file], environment: bed.environment)
            #expect(tiny.status == 2 && tiny.stderr.contains("ulimit -n"), "\(tiny.stderr)")
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    @Test("a key with a control character, from the flag, the environment or the file: exit 2, the key not printed")
    func keyWithControlCharacter() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("k.png", size: 1000)
            let bad = BinaryBed.key + "\u{7}"
            var fromEnvironment = bed.environment
            fromEnvironment["D360_API_KEY"] = bad
            let fromFile = Self.configOnly(bed, Self.writeConfig("api_key = \"\(BinaryBed.key)\t\"\nbase_url = \(bed.server.baseURL)\n", bed: bed))
            let runs: [([String], [String: String])] = [
                (["upload", "--api-key", bad, file], bed.environment), (["upload", file], fromEnvironment), (["upload", file], fromFile),
            ]
            for (arguments, environment) in runs {
                let outcome = try await bed.run(arguments, environment: environment)
                #expect(outcome.status == 2, "stderr: \(outcome.stderr)")
                #expect(outcome.stderr.contains("control character"), "stderr: \(outcome.stderr)")
                #expect(!outcome.stderr.contains(BinaryBed.key))
            }
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    // MARK: - The log

    @Test("MEDIAUP_LOG_LEVEL=debug logs requests, retries and state changes, never the key or a session signature")
    func debugLog() async throws {
        try await withBinaryBed({
            $0.rateLimitedCreates = 1; $0.retryAfterSeconds = 1
        }) { bed in
            let file = bed.makeFile("log.png", size: 40_000)
            var environment = bed.environment
            environment["MEDIAUP_LOG_LEVEL"] = "debug"
            let outcome = try await bed.run(["upload", "--json", file], environment: environment)
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            let log = try String(contentsOfFile: bed.directory + "/state/mediaup.log", encoding: .utf8)
            #expect(log.contains("POST /uploads 429"), "\(log)")
            #expect(log.contains("POST /uploads 200"), "\(log)")
            #expect(log.contains("POST /upload:"), "\(log)")
            #expect(log.contains("40000 bytes"), "\(log)")
            #expect(log.contains("retry 1/5"), "\(log)")
            #expect(log.contains("queued → creating"), "\(log)")
            #expect(log.contains("→ done"), "\(log)")
            #expect(!log.contains("sig="), "\(log)")
            #expect(!log.contains(BinaryBed.key))
            #expect(!log.lowercased().contains("d360-api-key"))
        }
    }

    // MARK: - The sandbox command

    /// Starts `mediaup sandbox` and waits for its banner; returns the process and the banner.
    static func startSandbox(_ arguments: [String], bed: BinaryBed, environment: [String: String]? = nil) async throws -> (RunningProcess, String) {
        let running = try bed.start(
            ["sandbox", "--port", "0", "--storage-dir", bed.directory + "/sb-\(UUID().uuidString.prefix(6))"] + arguments, environment: environment)
        var banner = ""
        _ = await eventually {
            banner = (try? String(contentsOfFile: running.stdoutPath, encoding: .utf8)) ?? ""
            return banner.contains("try:") || !running.process.isRunning
        }
        return (running, banner)
    }

    @Test("sandbox --host ::1 prints http://[::1]:PORT, and mediaup uploads to it")
    func sandboxIPv6() async throws {
        try await withBinaryBed { bed in
            let (running, banner) = try await Self.startSandbox(["--host", "::1"], bed: bed)
            defer { running.process.interrupt() }
            let url = try #require(banner.split(separator: " ").first { $0.hasPrefix("http://[::1]:") }.map(String.init), "banner: \(banner)")
            #expect(banner.contains("MEDIAUP_BASE_URL=http://[::1]:"), "banner: \(banner)")
            var environment = bed.environment
            environment["MEDIAUP_BASE_URL"] = url
            let file = bed.makeFile("v6.png", size: 3000)
            let outcome = try await bed.run(["upload", "--json", file], environment: environment)
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.objects.first?["state"] as? String == "done", "\(outcome.stdout)")
        }
    }

    @Test("sandbox on 0.0.0.0: refused with the default key; with a key given it names the real address")
    func sandboxEveryInterface() async throws {
        try await withBinaryBed { bed in
            var noKey = bed.environment
            noKey["D360_API_KEY"] = nil
            let refused = try await bed.run(
                ["sandbox", "--host", "0.0.0.0", "--port", "0", "--storage-dir", bed.directory + "/sb"], environment: noKey)
            #expect(refused.status == 2, "stderr: \(refused.stderr)")
            #expect(refused.stderr.contains("pass --api-key"), "stderr: \(refused.stderr)")

            let (running, banner) = try await Self.startSandbox(["--host", "0.0.0.0", "--api-key", "not-the-default"], bed: bed, environment: noKey)
            running.process.interrupt()
            _ = await running.outcome()
            #expect(banner.contains("0.0.0.0"), "banner: \(banner)")
            #expect(!banner.contains("listening on http://127.0.0.1"), "banner: \(banner)")
        }
    }

    @Test("sandbox --storage-dir '' is refused; a storage folder that cannot be made is named with the reason in words")
    func sandboxStorage() async throws {
        try await withBinaryBed { bed in
            let empty = try await bed.run(["sandbox", "--port", "0", "--storage-dir", ""])
            #expect(empty.status == 2, "stderr: \(empty.stderr)")
            #expect(empty.stderr.contains("--storage-dir"), "stderr: \(empty.stderr)")

            let plain = bed.makeFile("plain.txt", size: 10, magic: [])
            let blocked = try await bed.run(["sandbox", "--port", "0", "--storage-dir", plain + "/sb"])
            #expect(blocked.status == 2, "stderr: \(blocked.stderr)")
            #expect(blocked.stderr.contains(plain + "/sb"), "stderr: \(blocked.stderr)")
            #expect(blocked.stderr.contains("Not a directory"), "stderr: \(blocked.stderr)")
            #expect(!blocked.stderr.contains("NSCocoaErrorDomain"), "stderr: \(blocked.stderr)")
        }
    }
}
