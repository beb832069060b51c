import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// The real binary in tmux against a rate-limited sandbox: what a person would do.
@Suite("Terminal UI end to end")
struct TuiTests {
    static let key = "tui-test-key-7"

    func launch(_ fixture: SandboxFixture, folder: String, environment: [String: String] = [:]) async throws -> TmuxSession {
        try await TmuxSession(
            command: [BinaryBed.binary, "tui", folder],
            environment: [
                "MEDIAUP_BASE_URL": fixture.server.baseURL,
                "D360_API_KEY": Self.key,
                "MEDIAUP_STATE_DIR": fixture.directory + "/state",
            ].merging(environment) { _, given in given },
            width: 140, height: 30)
    }

    func uploadPosts(_ fixture: SandboxFixture) async -> [SandboxRequestRecord] {
        await fixture.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }
    }

    @Test("mark two files, upload, pause one, resume it from its offset, see both done, quit, find them again")
    func markUploadPauseResume() async throws {
        try await withSandbox(apiKey: Self.key, { $0.bytesPerSecond = 1_500_000 }) { fixture in
            let folder = fixture.directory + "/files"
            let big = fixture.makeFile("a-brochure.pdf", size: 9_000_000, magic: Magic.pdf)
            let small = fixture.makeFile("b-poster.png", size: 3_000_000)

            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                _ = try await tui.waitFor("b-poster.png")
                _ = try await tui.waitUntil { $0.contains("a-brochure.pdf") && $0.contains("✓") }
                try await tui.sendKeys("Down", "Space", "Space", "u")
                _ = try await tui.waitFor("▶ a-brochure.pdf")

                // Pause the first row once some bytes are in, and see it paused.
                #expect(await eventually { (await fixture.server.sessions().map(\.receivedBytes).max() ?? 0) > 1_000_000 })
                try await tui.sendKeys("p")
                let paused = try await tui.waitFor("paused at")
                #expect(paused.contains("‖ a-brochure.pdf"))
                let heldAtPause = await fixture.server.sessions().first { $0.fileName == "a-brochure.pdf" }?.receivedBytes ?? 0
                #expect(heldAtPause > 0)

                // Resume: it continues from the server's offset, not from 0.
                try await tui.sendKeys("r")
                let done = try await tui.waitUntil(timeout: 60) { $0.contains("✔ a-brochure.pdf") && $0.contains("✔ b-poster.png") }
                let rows = done.split(separator: "\n").filter { $0.contains("✔ a-brochure.pdf") || $0.contains("✔ b-poster.png") }
                #expect(rows.count == 2 && rows.allSatisfy { $0.contains("h 4::") }, "both rows show their handle")
                let sessions = await fixture.server.sessions()
                let brochure = try #require(sessions.first { $0.fileName == "a-brochure.pdf" })
                let resumedAt = await uploadPosts(fixture).filter { $0.status == 200 }.compactMap { Int64($0.fileOffset ?? "") }.max() ?? 0
                #expect(resumedAt >= heldAtPause && resumedAt > 0)
                #expect(brochure.sha256 == (try SHA256Digest.ofFile(at: big)))
                #expect(sessions.first { $0.fileName == "b-poster.png" }?.sha256 == (try SHA256Digest.ofFile(at: small)))

                try await tui.sendKeys("q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
                #expect(try await tui.exitStatus() == 0)

                // Start again: both rows come back from the journal.
                try await withTmuxSession(launch(fixture, folder: folder)) { again in
                    let screen = try await again.waitUntil { $0.contains("✔ a-brochure.pdf") && $0.contains("✔ b-poster.png") }
                    #expect(screen.contains("2 done"))
                    try await again.sendKeys("q")
                }
            }
        }
    }

    @Test("q and y pause the uploads, and the next start resumes them without A; a row paused with p stays paused")
    func quitThenRestartResumes() async throws {
        try await withSandbox(apiKey: Self.key, { $0.bytesPerSecond = 1_000_000 }) { fixture in
            let folder = fixture.directory + "/files"
            _ = fixture.makeFile("a-held.pdf", size: 6_000_000, magic: Magic.pdf)
            let going = fixture.makeFile("b-going.pdf", size: 8_000_000, magic: Magic.pdf)

            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                _ = try await tui.waitUntil { $0.contains("a-held.pdf") && $0.contains("b-going.pdf") && $0.contains("✓") }
                try await tui.sendKeys("Down", "Space", "Space", "u")
                _ = try await tui.waitFor("▶ a-held.pdf")
                #expect(await eventually { (await fixture.server.sessions().map(\.receivedBytes).min() ?? 0) > 0 })
                try await tui.sendKeys("p")
                _ = try await tui.waitUntil { $0.contains("‖ a-held.pdf") && $0.contains("▶ b-going.pdf") }
                try await tui.sendKeys("q")
                _ = try await tui.waitFor("the next start resumes them")
                try await tui.sendKeys("y")
                #expect(await eventually(within: 15) { (try? await tui.exitStatus()) != nil })
                #expect(try await tui.exitStatus() == 0)
            }
            // A resume asks the session's offset first: the held row's GETs must not grow.
            let held = try #require(await fixture.server.sessions().first { $0.fileName == "a-held.pdf" })
            let heldPath = "/" + (held.id.split(separator: "?").first.map(String.init) ?? held.id)
            func heldOffsetAsks() async -> Int { await fixture.server.requestLog().filter { $0.method == "GET" && $0.path == heldPath }.count }
            let asksBefore = await heldOffsetAsks()

            // No key pressed: the row the quit paused finishes, the one paused by hand waits.
            try await withTmuxSession(launch(fixture, folder: folder)) { again in
                let screen = try await again.waitUntil(timeout: 60) { $0.contains("✔ b-going.pdf") }
                #expect(screen.contains("‖ a-held.pdf"))
                #expect(screen.contains("1 paused · 1 done"))
                let sessions = await fixture.server.sessions()
                #expect(sessions.first { $0.fileName == "b-going.pdf" && $0.sha256 != nil }?.sha256 == (try SHA256Digest.ofFile(at: going)))
                #expect(await heldOffsetAsks() == asksBefore)
                try await again.sendKeys("q")
            }
        }
    }

    @Test("a row another process is uploading: p and x are refused with a message, and the quit leaves its row as it was")
    func anotherProcessesRowIsLeftAlone() async throws {
        try await withSandbox(apiKey: Self.key, { $0.bytesPerSecond = 1_000_000 }) { fixture in
            let folder = fixture.directory + "/files"
            let file = fixture.makeFile("elsewhere.pdf", size: 6_000_000, magic: Magic.pdf)
            let environment = [
                "MEDIAUP_BASE_URL": fixture.server.baseURL, "D360_API_KEY": Self.key, "MEDIAUP_STATE_DIR": fixture.directory + "/state",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ]
            let headless = try RunningProcess(BinaryBed.binary, ["upload", file], environment: environment)
            #expect(await eventually { (await fixture.server.sessions().first?.receivedBytes ?? 0) > 300_000 })

            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                _ = try await tui.waitFor("⇄ elsewhere.pdf")
                try await tui.sendKeys("Tab", "p")
                _ = try await tui.waitFor("another mediaup process is uploading elsewhere.pdf")
                try await tui.sendKeys("x")
                _ = try await tui.waitFor("Cancel elsewhere.pdf and forget its session?")
                try await tui.sendKeys("y")
                _ = try await tui.waitUntil {
                    !$0.contains("Cancel elsewhere.pdf") && $0.contains("another mediaup process is uploading") && $0.contains("⇄ elsewhere.pdf")
                }
                let journal = try Journal(stateDirectory: fixture.directory + "/state")
                let row = try #require(try journal.allSessions().first, "the row is not forgotten from under the upload")
                #expect(row.state == .uploading)
                #expect(
                    SessionLock.isHeldElsewhere(sessionID: row.id, stateDirectory: fixture.directory + "/state"), "still claimed by the other process"
                )
                // Nothing of its own runs: q quits without asking.
                try await tui.sendKeys("q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
                #expect(try await tui.exitStatus() == 0)
                #expect(try journal.session(id: row.id)?.state.isActive == true, "the quit did not write the row as paused")
            }
            let outcome = await headless.outcome()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let session = try #require(await fixture.server.sessions().first)
            #expect(await fixture.server.sessions().count == 1)
            #expect(session.sha256 == (try SHA256Digest.ofFile(at: file)))
        }
    }

    @Test("two screens on one journal: each soon shows what the other, or a script, starts, in one order, uploaded once")
    func twoScreensOneJournal() async throws {
        try await withSandbox(apiKey: Self.key, { $0.bytesPerSecond = 1_000_000 }) { fixture in
            let folder = fixture.directory + "/files"
            let fromScreen = fixture.makeFile("from-screen.pdf", size: 3_000_000, magic: Magic.pdf)
            let fromScript = fixture.makeFile("from-script.pdf", size: 1_000_000, magic: Magic.pdf)
            try await withTmuxSession(launch(fixture, folder: folder)) { first in
                try await withTmuxSession(launch(fixture, folder: folder)) { second in
                    _ = try await first.waitFor("from-screen.pdf")
                    _ = try await second.waitFor("no uploads yet")
                    // The Files pane lists "..", from-screen.pdf, then from-script.pdf.
                    try await first.sendKeys("j", "u")
                    _ = try await second.waitFor("⇄ from-screen.pdf", timeout: 10)
                    let environment = [
                        "MEDIAUP_BASE_URL": fixture.server.baseURL, "D360_API_KEY": Self.key,
                        "MEDIAUP_STATE_DIR": fixture.directory + "/state",
                        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                    ]
                    let script = try RunningProcess(BinaryBed.binary, ["upload", fromScript], environment: environment)
                    #expect(await script.outcome().status == 0)
                    for screen in [first, second] {
                        let shown = try await screen.waitUntil(timeout: 30) {
                            $0.contains("✔ from-screen.pdf") && $0.contains("✔ from-script.pdf") && $0.contains("2 done")
                        }
                        let lines = shown.split(separator: "\n")
                        let order = ["from-screen.pdf", "from-script.pdf"].map { name in lines.firstIndex { $0.contains("✔ " + name) } }
                        #expect(order[0]! < order[1]!, "the order the files were added in:\n\(shown)")
                    }
                }
            }
            let sessions = await fixture.server.sessions()
            #expect(sessions.count == 2, "each file went up once")
            #expect(Set(sessions.map(\.sha256)) == Set([try SHA256Digest.ofFile(at: fromScreen), try SHA256Digest.ofFile(at: fromScript)]))
        }
    }

    @Test("a second Ctrl-C ends the screen at once, the terminal given back, while the first one's pause waits on a silent server")
    func secondInterruptEndsAtOnce() async throws {
        try await withSandbox(
            apiKey: Self.key,
            {
                $0.bytesPerSecond = 1_000_000
                // The pause's question for the offset gets a reply that never ends.
                $0.oddities = [.init(.neverEndingReply, on: .status)]
            }
        ) { fixture in
            let folder = fixture.directory + "/files"
            let file = fixture.makeFile("cut.pdf", size: 6_000_000, magic: Magic.pdf)
            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                _ = try await tui.waitUntil { $0.contains("cut.pdf") && $0.contains("✓") }
                try await tui.sendKeys("Down", "Space", "u")
                #expect(await eventually { (await fixture.server.sessions().first?.receivedBytes ?? 0) > 300_000 })
                try await tui.sendKeys("C-c")
                // The pause is asking the offset, and the answer does not come.
                #expect(await eventually { await fixture.server.requestLog().contains { $0.method == "GET" } })
                try await tui.sendKeys("C-c")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
                #expect(try await tui.exitStatus() == 130, "ended by the second signal, not by the first one's pause")
                let after = try await tui.capture()
                #expect(after.contains("stopped without waiting for the uploads to pause"))
                #expect(!after.contains("? help"), "the screen is gone: the terminal was given back")
            }
            // The next start resumes the cut upload from the server's offset and finishes it.
            try await withTmuxSession(launch(fixture, folder: folder)) { again in
                _ = try await again.waitFor("✔ cut.pdf", timeout: 60)
                #expect(await fixture.server.sessions().count == 1)
                #expect(await fixture.server.sessions().first?.sha256 == (try SHA256Digest.ofFile(at: file)))
                try await again.sendKeys("q")
            }
        }
    }

    @Test("a terminal that cannot place the cursor, or that terminfo does not know: a message and exit 2, the terminal as it was")
    func terminalsItCannotDraw() async throws {
        for (term, words) in [
            ("dumb", "TERM=dumb cannot place the cursor"), ("no-such-term", "TERM=no-such-term is not a terminal type terminfo knows"),
        ] {
            try await withSandbox(apiKey: Self.key) { fixture in
                try await withTmuxSession(
                    TmuxSession(
                        command: [BinaryBed.binary, "tui", "--sandbox", fixture.directory],
                        environment: ["TERM": term, "MEDIAUP_STATE_DIR": fixture.directory + "/state"],
                        width: 100, height: 20)
                ) { tui in
                    #expect(await eventually(within: 20) { (try? await tui.exitStatus()) != nil })
                    #expect(try await tui.exitStatus() == 2)
                    let screen = try await tui.capture()
                    #expect(screen.contains("mediaup: " + words), "\(screen)")
                    #expect(!screen.contains("Error opening terminal"))
                }
            }
        }
    }

    @Test("after q no frame stays on the screen: vt100 (no alternate screen) is cleared, xterm-256color shows the shell's screen again")
    func quitGivesTheScreenBack() async throws {
        for term in ["vt100", "xterm-256color"] {
            try await withSandbox(apiKey: Self.key) { fixture in
                _ = fixture.makeFile("poster.png", size: 2_000)
                // The shell's screen before mediaup starts: one line of its own.
                let script = "echo shell-before-mediaup; exec \"$0\" tui --sandbox \"$1\""
                try await withTmuxSession(
                    TmuxSession(
                        command: ["/bin/sh", "-c", script, BinaryBed.binary, fixture.directory + "/files"],
                        environment: ["TERM": term, "MEDIAUP_STATE_DIR": fixture.directory + "/state"],
                        width: 100, height: 20)
                ) { tui in
                    _ = try await tui.waitUntil { $0.contains("Uploads") && $0.contains("poster.png") }
                    try await tui.sendKeys("q")
                    #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
                    #expect(try await tui.exitStatus() == 0)
                    let screen = try await tui.capture()
                    #expect(!screen.contains("Uploads") && !screen.contains("poster.png") && !screen.contains("─"), "TERM=\(term):\n\(screen)")
                    if term == "xterm-256color" {
                        #expect(screen.contains("shell-before-mediaup"), "TERM=\(term):\n\(screen)")
                    }
                }
            }
        }
    }

    @Test("a name with a newline, an escape or a bidi override shows as escapes in the Files pane, the details line, i and the Uploads pane")
    func controlCharactersInNamesAreShownEscaped() async throws {
        try await withSandbox(apiKey: Self.key) { fixture in
            let folder = fixture.directory + "/files"
            _ = fixture.makeFile("new\nline.pdf", size: 3_000, magic: Magic.pdf)
            _ = fixture.makeFile("\u{202E}gpj.pdf", size: 3_000, magic: Magic.pdf)
            _ = fixture.makeFile("red\u{1B}[31m.pdf", size: 3_000, magic: Magic.pdf)
            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                let names = ["\\u{202E}gpj.pdf", "new\\nline.pdf", "red\\x1b[31m.pdf"]
                let listed = try await tui.waitUntil { screen in names.allSatisfy { screen.contains("  " + $0) } }
                #expect(!listed.contains("\u{202E}") && !listed.contains("\u{1B}"))
                #expect(listed.split(separator: "\n").count == 30, "no row was split")

                try await tui.sendKeys("Home", "Down")
                _ = try await tui.waitFor(folder + "/\\u{202E}gpj.pdf · 2.9 KB")
                try await tui.sendKeys("i")
                _ = try await tui.waitFor("file      " + folder + "/\\u{202E}gpj.pdf")
                try await tui.sendKeys("Escape", "a", "u")
                let uploads = try await tui.waitUntil(timeout: 30) { screen in names.allSatisfy { screen.contains("✔ " + $0) } }
                #expect(!uploads.contains("\u{202E}") && !uploads.contains("\u{1B}"))
                try await tui.sendKeys("Enter")
                _ = try await tui.waitFor("file      " + folder + "/")
                try await tui.sendKeys("Escape", "q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
            }
        }
    }

    /// The column of `text` in a captured row, as tmux 3.3a lays the row out: the columns
    /// it gives these clusters were measured by printing them raw; every other
    /// character on the rows where this is used takes one.
    static func tmuxColumn(of text: String, in line: String) -> Int? {
        let tmuxWidths: [Character: Int] = [
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}": 2, "\u{1F1EF}\u{1F1F5}": 2, "\u{1F44D}\u{1F3FD}": 4,
        ]
        guard let range = line.range(of: text) else { return nil }
        return line[..<range.lowerBound].reduce(0) { $0 + (tmuxWidths[$1] ?? 1) }
    }

    @Test("names with ZWJ sequences, flags, skin tones and keycaps show whole, and the columns after them line up with the other rows")
    func graphemeClustersInNames() async throws {
        try await withSandbox(apiKey: Self.key) { fixture in
            let folder = fixture.directory + "/files"
            let family = "family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} flag \u{1F1EF}\u{1F1F5}.pdf"
            let names = [family, "plain.pdf", "thumb \u{1F44D}\u{1F3FD}.pdf", "key 1\u{FE0F}\u{20E3}.pdf"]
            for name in names { _ = fixture.makeFile(name, size: 3_000, magic: Magic.pdf) }
            try await withTmuxSession(
                TmuxSession(
                    command: [BinaryBed.binary, "tui", folder],
                    environment: [
                        "MEDIAUP_BASE_URL": fixture.server.baseURL, "D360_API_KEY": Self.key,
                        "MEDIAUP_STATE_DIR": fixture.directory + "/state",
                    ],
                    width: 200, height: 16)
            ) { tui in
                let count = names.count
                let screen = try await tui.waitUntil { screen in
                    screen.split(separator: "\n").filter { $0.contains(".pdf") && $0.contains("✓") }.count == count
                }
                let rows = screen.split(separator: "\n").filter { $0.contains(".pdf") }.map(String.init)
                let whole = rows.contains { $0.contains("   " + family + " ") }
                #expect(whole, "the name whole:\n\(screen)")
                // 1⃣: ncurses keeps the keycap on its digit; the narrow cell drops the emoji selector.
                let keycap = rows.contains { $0.contains("key 1\u{20E3}.pdf") || $0.contains("key 1\u{FE0F}\u{20E3}.pdf") }
                #expect(keycap, "\(screen)")
                let columns = ["KB", "✓", "││"].map { needle in rows.map { Self.tmuxColumn(of: needle, in: $0) ?? -1 } }
                let aligned = columns.allSatisfy { Set($0).count == 1 && $0[0] >= 0 }
                #expect(aligned, "KB, ✓, ││ at \(columns):\n\(screen)")
                try await tui.sendKeys("q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
            }
        }
    }

    @Test("a folder it cannot read, a missing key, a small terminal: messages, not a crash")
    func badSituations() async throws {
        try await withSandbox(apiKey: Self.key) { fixture in
            let folder = fixture.directory + "/files"
            _ = fixture.makeFile("x.png", size: 1000)
            let locked = folder + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
            chmod(locked, 0)
            defer { chmod(locked, 0o755) }

            try await withTmuxSession(
                TmuxSession(
                    command: [BinaryBed.binary, "tui", folder],
                    environment: ["MEDIAUP_BASE_URL": fixture.server.baseURL, "MEDIAUP_STATE_DIR": fixture.directory + "/state"],
                    width: 120, height: 24)
            ) { tui in
                _ = try await tui.waitFor("no API key")
                // Root reads any folder; elsewhere the folder shows its error.
                if getuid() != 0 {
                    try await tui.sendKeys("Down", "Enter")
                    _ = try await tui.waitFor("cannot open")
                    try await tui.sendKeys("BSpace")
                }
                try await tui.resize(width: 40, height: 8)
                _ = try await tui.waitFor("terminal too small")
                try await tui.resize(width: 120, height: 24)
                _ = try await tui.waitFor("x.png")
                try await tui.sendKeys("End", "u")
                _ = try await tui.waitFor("✖ x.png")
                _ = try await tui.waitFor("no API key")
                try await tui.sendKeys("?")
                _ = try await tui.waitFor("switch pane")
                try await tui.sendKeys("Escape", "q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
                #expect(try await tui.exitStatus() == 0)
            }
        }
    }

    @Test("files added to and removed from the open folder show without a key, judged; the cursor stays on its file")
    func folderChangesShow() async throws {
        try await withSandbox(apiKey: Self.key) { fixture in
            let folder = fixture.directory + "/files"
            let poster = fixture.makeFile("b-poster.png", size: 1000)
            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                _ = try await tui.waitFor("b-poster.png")
                try await tui.sendKeys("Down")
                _ = try await tui.waitFor(poster + " · ")

                _ = fixture.makeFile("a-menu.pdf", size: 2000, magic: Magic.pdf)
                let added = try await tui.waitUntil(timeout: 15) { screen in
                    screen.split(separator: "\n").contains { $0.contains("a-menu.pdf") && $0.contains("app/pdf") && $0.contains("✓") }
                }
                // The new file sorts above the cursor's: the details line still names the poster.
                #expect(added.contains(poster + " · "))

                try FileManager.default.removeItem(atPath: poster)
                let removed = try await tui.waitUntil(timeout: 15) { !$0.contains("b-poster.png") }
                #expect(removed.contains("a-menu.pdf"))
                try await tui.sendKeys("q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
            }
        }
    }

    @Test("after a /media upload: i shows the server's copy matching the bytes sent, e exports, D deletes on the server after asking")
    func afterTheUpload() async throws {
        try await withSandbox(apiKey: Self.key) { fixture in
            let folder = fixture.directory + "/files"
            let poster = fixture.makeFile("poster.png", size: 200_000)
            try await withTmuxSession(launch(fixture, folder: folder)) { tui in
                _ = try await tui.waitUntil { $0.contains("poster.png") && $0.contains("✓") }
                try await tui.sendKeys("m", "End", "u")
                _ = try await tui.waitFor("✔ poster.png")
                let mediaID = try #require(await fixture.server.mediaUploads().first?.id)

                try await tui.sendKeys("i")
                let view = try await tui.waitFor("url       valid until")
                #expect(view.contains("media id  \(mediaID)"))
                #expect(view.contains("size      200000 bytes ✓"))
                #expect(view.contains("\(try SHA256Digest.ofFile(at: poster)) ✓ the bytes sent"))

                try await tui.sendKeys("Escape", "e")
                let exported = try await tui.waitFor("exported 1 upload to \(folder)/mediaup-export-")
                let exportName = try #require(
                    try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasPrefix("mediaup-export-") && $0.hasSuffix(".csv") },
                    "\(exported)")
                let csv = try String(contentsOfFile: folder + "/" + exportName, encoding: .utf8)
                #expect(csv.contains("\(poster),200000,") && csv.contains(",media,\(mediaID),,") && csv.hasSuffix(",live\r\n"), "\(csv)")

                try await tui.sendKeys("D")
                _ = try await tui.waitFor("Delete media id \(mediaID) (poster.png) on the server?")
                try await tui.sendKeys("y")
                _ = try await tui.waitFor("deleted on the server")
                _ = try await tui.waitFor("deleted · id \(mediaID)")
                #expect(await fixture.server.mediaUploads().first?.isDeleted == true)
                try await tui.sendKeys("q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
            }
            let mediaID = try #require(await fixture.server.mediaUploads().first?.id)
            let sessions = try await RunningProcess(
                BinaryBed.binary, ["sessions"],
                environment: [
                    "MEDIAUP_BASE_URL": fixture.server.baseURL, "D360_API_KEY": Self.key, "MEDIAUP_STATE_DIR": fixture.directory + "/state",
                ]
            ).outcome()
            #expect(sessions.stdout.contains("id \(mediaID)  deleted"), "the journal says so too: \(sessions.stdout)")
        }
    }

    @Test("a folder of videos shows ✗, ! and ✓ from their codecs; u refuses the HEVC one, i shows its fix, f makes a copy that uploads")
    func mediaChecksAndFix() async throws {
        let ffmpeg = try TestFFmpeg.path()
        try await withSandbox(apiKey: Self.key) { fixture in
            let folder = fixture.directory + "/files"
            _ = try fixture.makeFile("a-interview.mp4", copying: "video-h264-high.mp4")
            _ = try fixture.makeFile("b-promo.mp4", copying: "video-h264-main-aac.mp4")
            let hevc = try fixture.makeFile("c.mp4", copying: "video-hevc.mp4")
            try await withTmuxSession(launch(fixture, folder: folder, environment: ["MEDIAUP_FFMPEG": ffmpeg])) { tui in
                func row(_ screen: String, _ name: String) -> String {
                    screen.split(separator: "\n").first { $0.contains(name) }.map(String.init) ?? ""
                }
                let judged = try await tui.waitUntil { row($0, "c.mp4").contains("✗") }
                #expect(row(judged, "a-interview.mp4").contains("!"))
                #expect(row(judged, "b-promo.mp4").contains("✓"))

                // Rewritten in place (the folder's time does not move): judged again.
                let promo = try #require(FileHandle(forWritingAtPath: folder + "/b-promo.mp4"))
                try promo.truncate(atOffset: 0)
                try promo.write(contentsOf: try Data(contentsOf: URL(fileURLWithPath: hevc)))
                try promo.close()
                _ = try await tui.waitUntil(timeout: 10) { row($0, "b-promo.mp4").contains("✗") }

                try await tui.sendKeys("End", "u")
                let refused = try await tui.waitFor("not queued — c.mp4: the video is HEVC")
                #expect(refused.contains("no uploads yet"))

                try await tui.sendKeys("i")
                let details = try await tui.waitFor("f convert it now")
                #expect(details.contains("inside    mp4 hevc"))
                #expect(details.contains("fix       ffmpeg -i '\(hevc)'"))

                try await tui.sendKeys("f")
                let fixed = try await tui.waitUntil(timeout: 60) { row($0, "c.whatsapp.mp4").contains("✓") }
                #expect(fixed.contains("fixed  c.mp4 → c.whatsapp.mp4  (now ok)"))
                let copy = folder + "/c.whatsapp.mp4"
                #expect(MediaCheck(path: copy, route: .resumable).status == .ok)
                #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasSuffix(".partial") })

                // The new file uploads, byte for byte.
                try await tui.sendKeys("End", "u")
                _ = try await tui.waitUntil(timeout: 30) { $0.contains("✔ c.whatsapp.mp4") }
                let session = await fixture.server.sessions().first { $0.fileName == "c.whatsapp.mp4" }
                #expect(session?.sha256 == (try SHA256Digest.ofFile(at: copy)))
                try await tui.sendKeys("q")
                #expect(await eventually(within: 10) { (try? await tui.exitStatus()) != nil })
                #expect(try await tui.exitStatus() == 0)
            }
        }
    }
}
