import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

#if canImport(Glibc)
import Glibc
#endif

/// Every kind of bad input gets a clear message and the right exit code, and
/// nothing else is lost — good files in the same command still arrive intact, and the
/// journal still lists the sessions it had.
@Suite("Bad input: a clear message, nothing lost")
struct BadInputTests {
    // MARK: - Helpers

    /// The `--json` objects of a run, by their `file`.
    static func byFile(_ outcome: ProcessOutcome) -> [String: [String: Any]] {
        Dictionary(outcome.objects.map { ($0["file"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks that `path` was reported done and that the sandbox holds exactly its bytes.
    static func expectArrived(
        _ path: String, in outcome: ProcessOutcome, bed: BinaryBed,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let object = try #require(byFile(outcome)[path], "no line for \(path): \(outcome.stdout)", sourceLocation: sourceLocation)
        #expect(object["state"] as? String == "done", "\(object)", sourceLocation: sourceLocation)
        let sha = try SHA256Digest.ofFile(at: path)
        #expect(object["sha256"] as? String == sha, sourceLocation: sourceLocation)
        let stored = await bed.server.sessions()
        #expect(
            stored.contains { $0.sha256 == sha && $0.handle != nil && $0.handle == object["handle"] as? String },
            "the sandbox does not hold \(path)", sourceLocation: sourceLocation)
    }

    /// Uploads one good file so the journal has a session to keep; returns its id.
    static func seedJournal(_ bed: BinaryBed) async throws -> String {
        let earlier = bed.makeFile("earlier.png", size: 2000)
        let outcome = try await bed.run(["upload", "--json", "--sha256", earlier])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try #require(outcome.objects.first?["session_id"] as? String)
    }

    /// Checks that `sessions --json` (with the bed's own, good configuration) still lists `id` as done.
    static func expectJournalKeeps(_ id: String, bed: BinaryBed, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let listed = try await bed.run(["sessions", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)", sourceLocation: sourceLocation)
        let row = listed.objects.first { $0["id"] as? String == id }
        #expect(row?["state"] as? String == "done", "journal lost \(id): \(listed.stdout)", sourceLocation: sourceLocation)
    }

    /// Runs `upload --json bad… good` and checks the common contract: exit 1, one line per
    /// file, the good file arrives intact. Returns the bad files' objects and stderr.
    static func uploadBesideGood(
        _ bed: BinaryBed, _ bad: [String], extra: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> ([String: [String: Any]], ProcessOutcome) {
        let good = bed.makeFile("good-\(UUID().uuidString.prefix(6)).png", size: 50_000)
        let outcome = try await bed.run(["upload", "--json", "--sha256", "--sha256"] + extra + bad + [good])
        #expect(outcome.status == 1, "stderr: \(outcome.stderr)", sourceLocation: sourceLocation)
        #expect(outcome.lines.count == bad.count + 1, "\(outcome.stdout)", sourceLocation: sourceLocation)
        try await expectArrived(good, in: outcome, bed: bed, sourceLocation: sourceLocation)
        return (byFile(outcome), outcome)
    }

    /// Checks one refused file's line: failed, never sent, and the error says `expected`.
    static func expectRefused(_ object: [String: Any]?, saying expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(object?["state"] as? String == "failed", "\(String(describing: object))", sourceLocation: sourceLocation)
        #expect(object?["handle"] is NSNull, sourceLocation: sourceLocation)
        #expect(object?["attempts"] as? Int == 0, sourceLocation: sourceLocation)
        let error = object?["error"] as? String ?? ""
        #expect(error.contains(expected), "error was: \(error)", sourceLocation: sourceLocation)
    }

    // MARK: - Files that cannot be uploaded

    @Test("a missing file: 'no such file', the good one still goes")
    func missingFile() async throws {
        try await withBinaryBed { bed in
            let missing = bed.directory + "/files/not-there.png"
            let (objects, _) = try await Self.uploadBesideGood(bed, [missing])
            Self.expectRefused(objects[missing], saying: "\(missing): no such file or directory")
        }
    }

    @Test("a folder: 'is a folder, not a file'")
    func folder() async throws {
        try await withBinaryBed { bed in
            let folder = bed.directory + "/files/sub.png"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let (objects, _) = try await Self.uploadBesideGood(bed, [folder])
            Self.expectRefused(objects[folder], saying: "\(folder) is a folder, not a file")
        }
    }

    @Test("no read permission: refused as 'permission denied'; as root (which reads anyway) it uploads intact")
    func noReadPermission() async throws {
        try await withBinaryBed { bed in
            let locked = bed.makeFile("locked.png", size: 3000)
            #expect(chmod(locked, 0) == 0)
            if getuid() == 0 {
                // Root bypasses file modes: the file is readable, so it must arrive byte for byte.
                let outcome = try await bed.run(["upload", "--json", "--sha256", locked])
                #expect(outcome.status == 0, "\(outcome.stderr)")
                try await Self.expectArrived(locked, in: outcome, bed: bed)
            } else {
                let (objects, _) = try await Self.uploadBesideGood(bed, [locked])
                Self.expectRefused(objects[locked], saying: "permission denied")
            }
        }
    }

    @Test(
        "a file that refuses reads even to root (a write-only sysfs file): 'cannot read …: permission denied'",
        .enabled(if: FileManager.default.fileExists(atPath: "/sys/bus/pci/rescan")))
    func unreadableEvenForRoot() async throws {
        try await withBinaryBed { bed in
            let writeOnly = "/sys/bus/pci/rescan"
            let (objects, _) = try await Self.uploadBesideGood(bed, [writeOnly])
            Self.expectRefused(objects[writeOnly], saying: "cannot read \(writeOnly): permission denied")
        }
    }

    @Test("an empty file: 'the file is empty'")
    func emptyFile() async throws {
        try await withBinaryBed { bed in
            let empty = bed.makeFile("empty.png", size: 0, magic: [])
            let (objects, _) = try await Self.uploadBesideGood(bed, [empty])
            Self.expectRefused(objects[empty], saying: "the file is empty")
        }
    }

    @Test("a FIFO: refused without opening it (which would block)")
    func fifo() async throws {
        try await withBinaryBed { bed in
            let pipe = bed.directory + "/files/pipe.png"
            #expect(mkfifo(pipe, 0o644) == 0)
            let (objects, _) = try await Self.uploadBesideGood(bed, [pipe])
            Self.expectRefused(objects[pipe], saying: "\(pipe) is a pipe (FIFO), not a regular file")
        }
    }

    @Test("a device (/dev/null): 'is a device'")
    func device() async throws {
        try await withBinaryBed { bed in
            let (objects, _) = try await Self.uploadBesideGood(bed, ["/dev/null"])
            Self.expectRefused(objects["/dev/null"], saying: "/dev/null is a device, not a regular file")
        }
    }

    @Test("a dangling symlink: 'is a symbolic link to nothing'")
    func danglingSymlink() async throws {
        try await withBinaryBed { bed in
            let link = bed.directory + "/files/link.png"
            #expect(symlink(bed.directory + "/files/gone.png", link) == 0)
            let (objects, _) = try await Self.uploadBesideGood(bed, [link])
            Self.expectRefused(objects[link], saying: "\(link) is a symbolic link to nothing")
        }
    }

    @Test("over WhatsApp's limit: says the size and the limit")
    func overLimit() async throws {
        try await withBinaryBed { bed in
            let huge = bed.makeFile("huge.png", size: 5 * 1024 * 1024 + 1)
            let (objects, _) = try await Self.uploadBesideGood(bed, [huge])
            Self.expectRefused(objects[huge], saying: "5.0 MB is over WhatsApp's 5.0 MB limit for image files")
            #expect(await bed.server.sessions().count == 1, "only the good file reached the server")
        }
    }

    @Test("a GIF named .png: refused as image/gif")
    func gifNamedPNG() async throws {
        try await withBinaryBed { bed in
            let gif = bed.makeFile("fake.png", size: 500, magic: Magic.gif)
            let (objects, _) = try await Self.uploadBesideGood(bed, [gif])
            Self.expectRefused(objects[gif], saying: "image/gif")
        }
    }

    @Test("a PNG named .pdf goes up as a PNG")
    func pngNamedPDF() async throws {
        try await withBinaryBed { bed in
            let png = bed.makeFile("actually-an-image.pdf", size: 4000)
            let outcome = try await bed.run(["upload", "--json", "--sha256", png])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            try await Self.expectArrived(png, in: outcome, bed: bed)
            #expect(await bed.server.sessions().first?.fileType == "image/png")
        }
    }

    @Test("names with spaces, quotes, a newline and emoji upload intact and come back exactly in --json")
    func awkwardNames() async throws {
        try await withBinaryBed { bed in
            let names = ["with  two spaces.png", "quote \"double\" and 'single'.png", "line\nbreak.png", "emoji 😀🎬.png", "back\\slash\ttab.png"]
            let paths = names.map { bed.makeFile($0, size: 3000) }
            let outcome = try await bed.run(["upload", "--json", "--sha256", "--sha256"] + paths)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.lines.count == paths.count, "one line per file, a newline in a name stays escaped")
            for path in paths { try await Self.expectArrived(path, in: outcome, bed: bed) }
        }
    }

    @Test("a name that is not valid UTF-8: refused as such, and the look-alike U+FFFD file is not uploaded")
    func invalidUTF8Name() async throws {
        try await withBinaryBed { bed in
            let folder = bed.directory + "/files/"
            // files/bad<0xFF>name.png, made from raw bytes.
            let raw: [CChar] =
                Array(folder.utf8CString.dropLast()) + Array("bad".utf8CString.dropLast()) + [CChar(bitPattern: 0xFF)]
                + Array("name.png".utf8CString)
            let fd = raw.withUnsafeBufferPointer { open($0.baseAddress!, O_CREAT | O_WRONLY | O_TRUNC, 0o644) }
            #expect(fd >= 0)
            let bytes = Magic.png(wrapping: [UInt8](repeating: 7, count: 500))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            // The path Swift's repaired argv would name: it exists, and must not be sent instead.
            let decoy = bed.makeFile("bad\u{FFFD}name.png", size: 600)
            let good = bed.makeFile("good.png", size: 5000)
            var environment = bed.environment
            environment["MEDIAUP"] = BinaryBed.binary
            environment["DIR"] = folder
            let script = #"exec "$MEDIAUP" upload --json --sha256 "$(printf '%sbad\377name.png' "$DIR")" "${DIR}good.png""#
            let outcome = try await RunningProcess.run("/bin/sh", ["-c", script], environment: environment)
            #expect(outcome.status == 1, "\(outcome.stderr)")
            #expect(outcome.lines.count == 2, "\(outcome.stdout)")
            let bad = outcome.objects.first { ($0["file"] as? String)?.hasPrefix(folder + "bad") == true }
            Self.expectRefused(bad, saying: "the name is not valid UTF-8")
            try await Self.expectArrived(good, in: outcome, bed: bed)
            let decoySHA = try SHA256Digest.ofFile(at: decoy)
            #expect(!(await bed.server.sessions().contains { $0.sha256 == decoySHA }), "a different file was uploaded")
            #expect(await bed.server.sessions().count == 1)
        }
    }

    // MARK: - The file changes while it is sent

    static let changingSize = 12_000_000

    /// Starts a slow upload of a 12 MB PDF (more than socket buffers hold) beside a
    /// small good file, waits until the sandbox holds some of the PDF, applies `change`,
    /// and checks the PDF fails as changed with no handle while the good file arrives.
    /// Returns whether the sandbox ended up with a complete copy (it may, when the
    /// bytes read before the change were the whole old version).
    @discardableResult
    static func changeMidUpload(saying expected: String, _ change: (String, BinaryBed) throws -> Void) async throws -> Bool {
        try await withBinaryBed({ $0.bytesPerSecond = 2_000_000 }) { bed in
            let big = bed.makeFile("changing.pdf", size: changingSize, magic: Magic.pdf)
            let good = bed.makeFile("steady.png", size: 20_000)
            let running = try bed.start(["upload", "--json", "--sha256", big, good])
            let started = await eventually {
                await bed.server.sessions().contains { $0.declaredLength == changingSize && $0.receivedBytes > 300_000 }
            }
            #expect(started)
            try change(big, bed)
            let outcome = await running.outcome()
            #expect(outcome.status == 1, "\(outcome.stderr)")
            let object = try #require(byFile(outcome)[big], "\(outcome.stdout)")
            #expect(object["state"] as? String == "failed")
            #expect(object["handle"] is NSNull)
            let error = object["error"] as? String ?? ""
            #expect(error.hasPrefix("file changed: ") && error.contains(expected), "error was: \(error)")
            let complete = await bed.server.sessions().contains { $0.declaredLength == changingSize && $0.handle != nil }
            try await expectArrived(good, in: outcome, bed: bed)
            let listed = try await bed.run(["sessions", "--json"])
            #expect(
                listed.objects.contains { $0["file"] as? String == big && $0["state"] as? String == "fileChanged" }
                    || listed.objects.contains { $0["file"] as? String == big && ($0["error"] as? String)?.contains("changed on disk") == true },
                "the journal keeps the changed session: \(listed.stdout)")
            return complete
        }
    }

    @Test("a file that grows mid-upload fails as changed, without a handle")
    func grownMidUpload() async throws {
        try await Self.changeMidUpload(saying: "changing.pdf changed on disk while it was being sent") { path, _ in
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write(Data(repeating: 1, count: 1000))
            try handle.close()
        }
    }

    @Test("a file that shrinks mid-upload fails as changed, without a handle")
    func shrunkMidUpload() async throws {
        let complete = try await Self.changeMidUpload(saying: "changing.pdf became shorter while it was being sent") { path, _ in
            #expect(truncate(path, 1_000_000) == 0)
        }
        #expect(!complete, "the transfer stops where the file ends: the server never completes it")
    }

    @Test("a file replaced mid-upload (another renamed over it) fails as changed, without a handle")
    func replacedMidUpload() async throws {
        try await Self.changeMidUpload(saying: "changing.pdf changed on disk while it was being sent") { path, bed in
            let other = bed.makeFile("replacement.pdf", size: Self.changingSize, magic: Magic.pdf)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: other)
            #expect(rename(other, path) == 0)
        }
    }

    // MARK: - Configuration

    /// Runs a bad configuration: exit 2, the reason on stderr, nothing on stdout, no
    /// request sent, and the journal still lists its earlier session.
    static func expectBadConfiguration(
        _ arguments: [String], environment: (inout [String: String]) -> Void = { _ in },
        saying expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withBinaryBed { bed in
            let earlier = try await seedJournal(bed)
            let requestsBefore = await bed.server.requestLog().count
            let file = bed.makeFile("a.png", size: 1000)
            var changed = bed.environment
            environment(&changed)
            let outcome = try await bed.run(arguments + [file], environment: changed)
            #expect(outcome.status == 2, "\(outcome.stderr)", sourceLocation: sourceLocation)
            #expect(outcome.stderr.contains(expected), "stderr was: \(outcome.stderr)", sourceLocation: sourceLocation)
            #expect(outcome.stderr.split(separator: "\n").count == 1, "one line: \(outcome.stderr)", sourceLocation: sourceLocation)
            #expect(outcome.stdout.isEmpty, sourceLocation: sourceLocation)
            #expect(!outcome.stderr.contains(BinaryBed.key), sourceLocation: sourceLocation)
            #expect(await bed.server.requestLog().count == requestsBefore, "nothing was sent", sourceLocation: sourceLocation)
            try await expectJournalKeeps(earlier, bed: bed, sourceLocation: sourceLocation)
        }
    }

    @Test("no API key: exit 2, 'no API key'")
    func missingKey() async throws {
        try await Self.expectBadConfiguration(
            ["upload", "--json", "--sha256", "--sha256"], environment: { $0["D360_API_KEY"] = nil }, saying: "no API key")
    }

    @Test("a malformed base URL: exit 2, 'not a valid URL'")
    func malformedBaseURL() async throws {
        try await Self.expectBadConfiguration(
            ["upload", "--json", "--sha256", "--sha256"], environment: { $0["MEDIAUP_BASE_URL"] = "::not a url" },
            saying: "not a valid URL")
    }

    @Test("http:// to a host that is not loopback: exit 2, refused before any request")
    func plainHTTPRemote() async throws {
        try await Self.expectBadConfiguration(["upload", "--json", "--sha256", "--base-url", "http://example.com:8360"], saying: "refusing http://")
    }

    @Test("a state directory under a regular file: exit 2, names the state directory")
    func unwritableStateDirectory() async throws {
        try await withBinaryBed { bed in
            let earlier = try await Self.seedJournal(bed)
            let plain = bed.makeFile("plain.txt", size: 10, magic: [])
            let file = bed.makeFile("a.png", size: 1000)
            let outcome = try await bed.run(["upload", "--json", "--sha256", "--state-dir", plain + "/state", file])
            #expect(outcome.status == 2)
            #expect(outcome.stderr.contains("cannot create the state directory \(plain)/state"), "stderr was: \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
            #expect(await bed.server.sessions().count == 1, "nothing was sent")
            try await Self.expectJournalKeeps(earlier, bed: bed)
        }
    }

    // MARK: - The journal itself

    @Test("a corrupt journal is kept aside byte for byte, a new one started, the user told on stderr")
    func corruptJournal() async throws {
        try await withBinaryBed { bed in
            _ = try await Self.seedJournal(bed)
            let state = bed.directory + "/state"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state + "/journal.sqlite" + suffix) }
            let garbage = Data(String(repeating: "this is not a database. ", count: 400).utf8)
            #expect(FileManager.default.createFile(atPath: state + "/journal.sqlite", contents: garbage))

            let file = bed.makeFile("after.png", size: 8000)
            let outcome = try await bed.run(["upload", "--json", "--sha256", file])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(
                outcome.stderr.contains("mediaup: warning: the journal \(state)/journal.sqlite was unreadable; it was kept as"),
                "stderr was: \(outcome.stderr)")
            try await Self.expectArrived(file, in: outcome, bed: bed)
            let aside = try FileManager.default.contentsOfDirectory(atPath: state).filter {
                $0.hasPrefix("journal.sqlite.corrupt-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
            }
            #expect(aside.count == 1, "\(aside)")
            if let name = aside.first {
                #expect(FileManager.default.contents(atPath: state + "/" + name) == garbage, "the old journal is kept as it was")
                #expect(outcome.stderr.contains(name))
            }
            let listed = try await bed.run(["sessions", "--json"])
            #expect(listed.objects.map { $0["file"] as? String } == [file], "the new journal works: \(listed.stdout)")
            #expect(listed.stderr.isEmpty, "told once, not on every run: \(listed.stderr)")
        }
    }

    @Test(
        "the disk fills up under the journal: 'the disk is full', exit 1, earlier sessions kept",
        .enabled(if: getuid() == 0))
    func diskFull() async throws {
        try await withBinaryBed { bed in
            let state = bed.directory + "/tiny"
            let disk = try TinyDisk(at: state, size: "256k")
            defer { disk.unmount() }
            var environment = bed.environment
            environment["MEDIAUP_STATE_DIR"] = state

            let earlier = bed.makeFile("earlier.png", size: 2000)
            let first = try await bed.run(["upload", "--json", "--sha256", earlier], environment: environment)
            #expect(first.status == 0, "\(first.stderr)")
            let earlierID = try #require(first.objects.first?["session_id"] as? String)

            #expect(disk.fill())

            let file = bed.makeFile("later.png", size: 2000)
            let running = try bed.start(["upload", "--json", "--sha256", file], environment: environment)
            let outcome = await running.outcome()
            #expect(running.process.terminationReason == .exit, "it must not crash")
            // Where SQLite first needs a block decides the exit code: opening the journal
            // (its WAL index grows) is an unusable state directory, exit 2 with one line;
            // saving the new session fails that file, exit 1. Both must say the disk is full.
            let fullText = "the journal \(state)/journal.sqlite: the disk is full"
            if outcome.status == 2 {
                #expect(outcome.stderr.hasPrefix("mediaup: cannot open \(fullText)"), "stderr was: \(outcome.stderr)")
                #expect(outcome.stdout.isEmpty)
            } else {
                #expect(outcome.status == 1, "stderr: \(outcome.stderr) stdout: \(outcome.stdout)")
                let object = try #require(outcome.objects.first)
                #expect(object["state"] as? String == "failed")
                let error = object["error"] as? String ?? ""
                #expect(error.contains("cannot write \(fullText)"), "error was: \(error)")
            }
            #expect(await bed.server.sessions().count == 1, "nothing was sent that the journal could not record")

            // Once there is room again, the journal still has the earlier session.
            #expect(unlink(state + "/filler") == 0)
            let listed = try await bed.run(["sessions", "--json"], environment: environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(
                listed.objects.contains { $0["id"] as? String == earlierID && $0["state"] as? String == "done" },
                "journal lost the earlier session: \(listed.stdout)")
        }
    }
}
