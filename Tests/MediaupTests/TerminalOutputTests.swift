import Foundation
import Sandbox
import Synchronization
import TestSupport
import Testing
import UploadCore

/// What the headless commands print for a person: on a terminal (a pseudo-terminal from
/// script(1), or tmux where the screen's scrollback matters) and in plain lines.
@Suite("Terminal output of the headless commands")
struct TerminalOutputTests {
    /// A file name that would set the terminal's title, clear it, break a line and
    /// reverse the text after it if it reached a terminal raw.
    static let hostileName = "menu\u{1B}]0;pwned\u{07}\u{1B}[2J\nline\u{202E}gnp.png"
    /// How ``hostileName`` reads once made safe.
    static let hostileShown = #"menu\x1b]0;pwned\x07\x1b[2J\nline\u{202E}gnp.png"#

    /// C0, DEL, C1, and the bidirectional embeddings, overrides, isolates and marks.
    static func mustNotReachTheTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// Characters that must never reach the terminal from a name or a server's text.
    static func expectNoRawControls(
        in text: String, allowing allowed: Set<Unicode.Scalar> = ["\n"], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let raw = text.unicodeScalars.filter { !allowed.contains($0) && Self.mustNotReachTheTerminal($0) }
        #expect(raw.isEmpty, "raw: \(raw.map { String($0.value, radix: 16) }) in \(text.debugDescription)", sourceLocation: sourceLocation)
    }

    /// The terminal's output without the escape sequences mediaup itself writes to redraw
    /// its live lines (cursor up, erase line, erase below) and without carriage returns.
    static func withoutOwnSequences(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9]*[AKJ]", with: "", options: .regularExpression)
            .replacingOccurrences(of: "\r", with: "")
    }

    /// Starts `mediaup arguments` in the bed's `files/` folder on a pseudo-terminal of
    /// `columns` × `rows` (stdout and stderr both on it); its stdout is everything the
    /// terminal receives.
    static func onTerminal(
        _ bed: BinaryBed, _ arguments: [String], environment: [String: String]? = nil, columns: Int = 80, rows: Int = 24
    ) throws -> RunningProcess {
        var environment = environment ?? bed.environment
        environment["SHELL"] = "/bin/sh"
        let quoted = ([BinaryBed.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
        let command = "stty cols \(columns) rows \(rows) && exec " + quoted.joined(separator: " ")
        return try RunningProcess(
            "/usr/bin/script", ["-qfec", command, "/dev/null"], environment: environment, workingDirectory: bed.directory + "/files")
    }

    /// A server that answers every request with Meta's error shape carrying `message`.
    static func refusingServer(_ message: String) throws -> LoopbackServer {
        let body = try JSONSerialization.data(withJSONObject: ["error": ["message": message, "type": "OAuthException", "code": 100]])
        return try LoopbackServer(.respond { _ in CannedResponse(status: 400, headers: [("Content-Type", "application/json")], body: Array(body)) })
    }

    // MARK: - Control characters are shown, not obeyed

    @Test("a file name with escape sequences, a newline and a bidi override: shown escaped in plain lines, live lines and sessions; --json exact")
    func hostileFileName() async throws {
        try await withBinaryBed { bed in
            let path = bed.makeFile(Self.hostileName, size: 2000)

            let plain = try await bed.run(["upload", "--parallel", "1", path])
            #expect(plain.status == 0, "\(plain.stderr)")
            Self.expectNoRawControls(in: plain.stderr)
            #expect(plain.stderr.contains(Self.hostileShown), "\(plain.stderr)")

            let listed = try await bed.run(["sessions"])
            #expect(listed.status == 0, "\(listed.stderr)")
            Self.expectNoRawControls(in: listed.stdout)
            #expect(listed.lines.count == 1, "one row per session: \(listed.stdout.debugDescription)")
            #expect(listed.stdout.contains(Self.hostileShown))

            let json = try await bed.run(["sessions", "--json"])
            #expect(json.objects.first?["file"] as? String == path, "--json keeps the name exactly")

            _ = bed.makeFile(Self.hostileName + "2", size: 3000)
            let live = try Self.onTerminal(bed, ["upload", Self.hostileName + "2"])
            let terminal = await live.outcome()
            #expect(terminal.status == 0, "\(terminal.stdout)")
            Self.expectNoRawControls(in: Self.withoutOwnSequences(terminal.stdout))
            #expect(terminal.stdout.contains(Self.hostileShown + "2"), "\(terminal.stdout.debugDescription)")
        }
    }

    @Test("a server's error text with escape sequences: shown escaped on stderr and in sessions, exact in --json")
    func hostileServerError() async throws {
        let message = "bad request\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\u{2066}done\u{2069}"
        let server = try Self.refusingServer(message)
        defer { server.stop() }
        try await withBinaryBed { bed in
            var environment = bed.environment
            environment["MEDIAUP_BASE_URL"] = server.baseURL
            let file = bed.makeFile("x.png", size: 1000)

            let plain = try await bed.run(["upload", file], environment: environment)
            #expect(plain.status == 1)
            Self.expectNoRawControls(in: plain.stderr)
            #expect(plain.stderr.contains(#"bad request\x1b]0;owned\x07\x1b[2J\u{9B}31m\u{2066}done\u{2069}"#), "\(plain.stderr)")

            let listed = try await bed.run(["sessions"], environment: environment)
            Self.expectNoRawControls(in: listed.stdout)
            #expect(listed.stdout.contains(#"bad request\x1b]0;owned"#), "\(listed.stdout)")

            let json = try await bed.run(["upload", "--json", file], environment: environment)
            #expect((json.objects.first?["error"] as? String)?.contains(message) == true, "\(json.stdout)")
            #expect(json.stderr.isEmpty, "\(json.stderr)")

            let live = try Self.onTerminal(bed, ["upload", "x.png"], environment: environment)
            let terminal = await live.outcome()
            Self.expectNoRawControls(in: Self.withoutOwnSequences(terminal.stdout))
            #expect(terminal.stdout.contains(#"bad request\x1b]0;owned"#), "\(terminal.stdout.debugDescription)")
        }
    }

    @Test("forget and status echo a hostile id escaped")
    func hostileIDs() async throws {
        try await withBinaryBed { bed in
            let id = "nope\u{1B}[2J\u{202E}"
            let forget = try await bed.run(["forget", id])
            #expect(forget.status == 1)
            Self.expectNoRawControls(in: forget.stderr + forget.stdout)
            #expect(forget.stderr.contains(#"no session nope\x1b[2J\u{202E} in"#), "\(forget.stderr)")

            let status = try await bed.run(["status", id])
            #expect(status.status == 1)
            Self.expectNoRawControls(in: status.stderr)
            #expect(status.stderr.contains(#"no session nope\x1b[2J\u{202E} in the journal"#), "\(status.stderr)")
        }
    }

    // MARK: - The end of a run, in full

    @Test("in 80 columns, the run ends with one whole line per file: the full handle, the full error")
    func fullLinesAtTheEnd() async throws {
        let longError =
            "the parameter file_type is not one the account may use for this template header; " + String(repeating: "see the docs. ", count: 8)
        let server = try Self.refusingServer(longError)
        defer { server.stop() }
        try await withBinaryBed { bed in
            let name = "a-rather-long-campaign-poster-name-for-the-spring.png"
            _ = bed.makeFile(name, size: 5000)
            let live = try Self.onTerminal(bed, ["upload", name], columns: 80)
            let terminal = await live.outcome()
            #expect(terminal.status == 0, "\(terminal.stdout)")
            let handle = try #require(await bed.server.sessions().first?.handle)
            let lines = Self.withoutOwnSequences(terminal.stdout).split(separator: "\n")
            #expect(lines.contains { $0.contains(name) && $0.contains("done") && $0.contains(handle) }, "\(terminal.stdout.debugDescription)")

            var environment = bed.environment
            environment["MEDIAUP_BASE_URL"] = server.baseURL
            _ = bed.makeFile("other-" + name, size: 5000)
            let failing = try Self.onTerminal(bed, ["upload", "other-" + name], environment: environment, columns: 80)
            let failed = await failing.outcome()
            #expect(failed.status == 1)
            let failedLines = Self.withoutOwnSequences(failed.stdout).split(separator: "\n")
            #expect(failedLines.contains { $0.contains("other-" + name) && $0.contains(longError) }, "\(failed.stdout.debugDescription)")

            // With --json, stderr stays quiet: the JSON lines say it all.
            let json = try await bed.run(["upload", "--json", bed.makeFile("third.png", size: 4000)])
            #expect(json.status == 0)
            #expect(json.stderr.isEmpty, "\(json.stderr)")
        }
    }

    // MARK: - More files than rows

    @Test("40 files in a 15-row terminal: the live lines never pass the screen, the scrollback keeps no copies")
    func moreFilesThanRows() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 400_000 }) { bed in
            let files = (1...40).map { String(format: "f%02d.png", $0) }
            for file in files { _ = bed.makeFile(file, size: 150_000) }
            try await withTmuxSession(
                TmuxSession(
                    command: [BinaryBed.binary, "upload", "--parallel", "4"] + files, environment: bed.environment, width: 80, height: 15,
                    workingDirectory: bed.directory + "/files")
            ) { tmux in
                let midRun = try? await tmux.waitFor("more: ", timeout: 60)
                #expect(midRun != nil, "no line counted the files left out")
                #expect((midRun ?? "").split(separator: "\n").count <= 14, "\(midRun ?? "")")
                #expect(await eventually(within: 120) { (try? await tmux.exitStatus()) != nil })
                #expect(try await tmux.exitStatus() == 0)
                let everything = try await tmux.capture(history: true)
                let lines = everything.split(separator: "\n")
                #expect(lines.count < 120, "\(lines.count) lines in the scrollback and screen")
                for name in files {
                    #expect(lines.filter { $0.contains(name) }.count <= 2, "\(name) is shown more than twice:\n\(everything)")
                    #expect(lines.contains { $0.hasPrefix(name) && $0.contains("done") && $0.contains("h 4::") }, "no final line for \(name)")
                }
            }
        }
    }

    // MARK: - Files an earlier run finished

    @Test("upload of a file sent earlier, and resume of a done session, say so with the handle")
    func alreadyDoneIsSaid() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("menu.png", size: 3000)
            let first = try await bed.run(["upload", "--json", file])
            let object = try #require(first.objects.first)
            let handle = try #require(object["handle"] as? String)
            let id = try #require(object["session_id"] as? String)

            let again = try await bed.run(["upload", file])
            #expect(again.status == 0)
            #expect(again.stderr.contains("menu.png: already sent"), "\(again.stderr)")
            #expect(again.stderr.contains("h \(handle)"), "\(again.stderr)")
            #expect(again.stderr.contains("--force sends it again"), "\(again.stderr)")

            let resumed = try await bed.run(["resume", id])
            #expect(resumed.status == 0)
            #expect(resumed.stderr.contains("menu.png: already done: h \(handle)"), "\(resumed.stderr)")
            #expect(await bed.server.sessions().count == 1, "nothing was sent again")
        }
    }

    // MARK: - /media progress

    @Test("/media progress counts the file's bytes, not the multipart form's")
    func mediaProgressCountsTheFile() async throws {
        let release = Mutex(false)
        let server = try LoopbackServer(
            .respond { _ in
                // Hold the reply once the whole body is in, so the live line shows the count at its end.
                while !release.withLock({ $0 }) { usleep(20_000) }
                return CannedResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(#"{"id":"1234"}"#.utf8))
            })
        defer {
            release.withLock { $0 = true }
            server.stop()
        }
        try await withBinaryBed { bed in
            let size: Int64 = 100_000
            _ = bed.makeFile("photo.png", size: Int(size))
            var environment = bed.environment
            environment["MEDIAUP_BASE_URL"] = server.baseURL
            let live = try Self.onTerminal(bed, ["upload", "--via", "media", "photo.png"], environment: environment)
            let shown = { (try? String(contentsOfFile: live.stdoutPath, encoding: .utf8)) ?? "" }
            #expect(await eventually { !server.requests.isEmpty && shown().contains("100%") }, "\(shown().debugDescription)")
            release.withLock { $0 = true }
            let terminal = await live.outcome()
            #expect(terminal.status == 0, "\(terminal.stdout)")
            let total = ByteFormat.string(size)
            let counts = Self.counts(before: total, in: terminal.stdout)
            #expect(!counts.isEmpty, "\(terminal.stdout.debugDescription)")
            for count in counts {
                #expect(Self.bytes(count) <= Self.bytes(total), "shown \(count)/\(total) of a \(size)-byte file")
            }
        }
    }

    /// Every byte count shown as `count/total` in `text`.
    static func counts(before total: String, in text: String) -> [String] {
        let pattern = try? NSRegularExpression(pattern: "([0-9.]+ [KMGT]?B)/" + NSRegularExpression.escapedPattern(for: total))
        let range = NSRange(text.startIndex..., in: text)
        return (pattern?.matches(in: text, range: range) ?? []).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// The bytes a ``ByteFormat`` string stands for.
    static func bytes(_ text: String) -> Double {
        let parts = text.split(separator: " ")
        let units = ["B", "KB", "MB", "GB", "TB"]
        let power = units.firstIndex(of: String(parts.last ?? "B")) ?? 0
        return (Double(parts.first ?? "0") ?? 0) * pow(1024, Double(power))
    }

    // MARK: - Signals

    @Test("a second Ctrl-C while the first one's pause waits: exit 130, and a --json line for the file in flight")
    func secondInterruptReportsInFlight() async throws {
        try await withBinaryBed({
            $0.bytesPerSecond = 1_000_000
            // The pause's question for the offset gets a reply that never ends.
            $0.oddities = [.init(.neverEndingReply, on: .status)]
        }) { bed in
            let file = bed.makeFile("cut.pdf", size: 6_000_000, magic: Magic.pdf)
            let running = try bed.start(["upload", "--json", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 300_000 })
            running.process.interrupt()
            #expect(await eventually { await bed.server.requestLog().contains { $0.method == "GET" } })
            running.process.interrupt()
            let outcome = await running.outcome()
            #expect(outcome.status == 130, "\(outcome.stderr)")
            #expect(outcome.objects.count == 1, "stdout: \(outcome.stdout)")
            let object = try #require(outcome.objects.first)
            #expect(object["file"] as? String == file)
            #expect(object["state"] as? String == "failed")
            #expect((object["error"] as? String)?.hasPrefix("interrupted") == true, "\(object)")
            #expect(object["session_id"] is String)
        }
    }

    @Test("SIGQUIT pauses cleanly, as SIGTERM does; the next run finishes the file")
    func quitSignalPauses() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let file = bed.makeFile("q.png", size: 3_000_000)
            let running = try bed.start(["upload", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 300_000 })
            kill(running.process.processIdentifier, SIGQUIT)
            let outcome = await running.outcome()
            #expect(outcome.status == 1, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("pausing uploads"), "\(outcome.stderr)")
            let row = try #require(try await bed.run(["sessions", "--json"]).objects.first)
            #expect(row["state"] as? String == "paused")
            #expect((row["server_offset"] as? Int ?? 0) > 0)
            let again = try await bed.run(["upload", "--json", file])
            #expect(again.objects.first?["state"] as? String == "done")
            #expect(await bed.server.sessions().first?.sha256 == (try SHA256Digest.ofFile(at: file)))
        }
    }

    // MARK: - Names that are not UTF-8

    @Test("a name that is not valid UTF-8 is named once in its refusal")
    func invalidNameOnce() async throws {
        try await withBinaryBed { bed in
            var environment = bed.environment
            environment["MEDIAUP"] = BinaryBed.binary
            environment["DIR"] = bed.directory + "/files/"
            let script = #"exec "$MEDIAUP" upload "$(printf '%sbad\377name.png' "$DIR")""#
            let outcome = try await RunningProcess.run("/bin/sh", ["-c", script], environment: environment)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("the name is not valid UTF-8"), "\(outcome.stderr)")
            #expect(outcome.stderr.components(separatedBy: "name.png").count == 2, "named once: \(outcome.stderr)")
        }
    }
}
