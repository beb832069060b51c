import Foundation
import TestSupport
import Testing

@testable import UploadCore

@Suite("Media fix plan")
struct MediaFixPlanTests {
    static let expected: [(String, [String])] = [
        ("video-hevc.mp4", ["-c:v", "libx264", "-profile:v", "main", "-bf", "0", "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart"]),
        ("video-h264-mp3.mp4", ["-c:v", "copy", "-c:a", "aac", "-movflags", "+faststart"]),
        ("video-h264-two-aac.mp4", ["-map", "0:v:0", "-map", "0:a:0", "-c", "copy", "-movflags", "+faststart"]),
        ("video-h264-no-faststart.mp4", ["-c", "copy", "-movflags", "+faststart"]),
        (
            "video-h264-high.mp4",
            ["-c:v", "libx264", "-profile:v", "main", "-bf", "0", "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart"]
        ),
        ("audio-vorbis.ogg", ["-vn", "-c:a", "libopus", "-ac", "1", "-b:a", "32k"]),
        ("audio-opus-stereo.ogg", ["-vn", "-c:a", "libopus", "-ac", "1", "-b:a", "32k"]),
        ("image-16bit.png", ["-pix_fmt", "rgb24", "-c:v", "png"]),
        ("image-gray.png", ["-pix_fmt", "rgb24", "-c:v", "png"]),
        ("image-palette.png", ["-pix_fmt", "rgba", "-c:v", "png"]),
        ("image-cmyk.jpg", ["-pix_fmt", "yuvj420p", "-q:v", "2", "-c:v", "mjpeg"]),
        ("image-gray.jpg", ["-pix_fmt", "yuvj420p", "-q:v", "2", "-c:v", "mjpeg"]),
    ]

    @Test("each refused or warned corpus file gets its one conversion's exact arguments", arguments: expected)
    func corpusPlan(name: String, arguments: [String]) throws {
        let plan = MediaCheck(path: MediaCorpus.path(name), route: .media).fixPlan
        guard case .conversion(let conversion) = plan else { Issue.record("\(name): \(plan)"); return }
        #expect(conversion.arguments == arguments)
    }

    @Test("HEVC, MP3 audio and no fast start make one command that re-encodes both and moves the index")
    func combined() {
        let findings = [
            MediaFinding(.refused, "hevc", remedy: .encodeH264Main), MediaFinding(.refused, "mp3", remedy: .encodeAAC),
            MediaFinding(.warned, "late", remedy: .moveIndexFirst),
        ]
        guard case .conversion(let conversion) = MediaFixPlan(findings) else { Issue.record("no conversion"); return }
        #expect(
            conversion.command(input: "clip.mp4", output: "clip.whatsapp.mp4")
                == "ffmpeg -i 'clip.mp4' -c:v libx264 -profile:v main -bf 0 -pix_fmt yuv420p -c:a aac -movflags +faststart 'clip.whatsapp.mp4'")
    }

    @Test("paths with spaces and quotes are quoted; a leading dash or a colon is read as a file")
    func quoting() {
        let conversion = MediaConversion(arguments: ["-c", "copy"], outputExtension: "mp4", muxer: "mp4")
        #expect(conversion.command(input: "my clip's.mp4", output: "a b.mp4") == "ffmpeg -i 'my clip'\\''s.mp4' -c copy 'a b.mp4'")
        #expect(conversion.command(input: "-x.mp4", output: "http:y.mp4") == "ffmpeg -i './-x.mp4' -c copy './http:y.mp4'")
    }

    @Test("no video track, and a type the route refuses: no conversion fixes it")
    func noConversion() {
        #expect(
            MediaFixPlan([MediaFinding(.refused, "there is no video track; send it as audio")])
                == .noConversion("there is no video track; send it as audio"))
        let check = MediaCheck(path: MediaCorpus.path("audio-opus-mono.ogg"), route: .resumable)
        #expect(check.fixCommand == nil)
        #expect(check.textLine.hasSuffix("; no conversion fixes it"))
        #expect(MediaCheck(path: MediaCorpus.path("image-rgb.png"), route: .media).fixPlan == .nothingToFix)
    }

    @Test("the output goes beside the original, and an existing name is skipped, not overwritten")
    func outputName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fixname-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(MediaFixPlan.outputPath(for: folder + "/clip.mp4", extension: "mp4") == folder + "/clip.whatsapp.mp4")
        _ = FileManager.default.createFile(atPath: folder + "/clip.whatsapp.mp4", contents: Data())
        #expect(MediaFixPlan.outputPath(for: folder + "/clip.mp4", extension: "mp4") == folder + "/clip.whatsapp-2.mp4")
        #expect(
            MediaFixPlan.partialPath(for: folder + "/clip.whatsapp-2.mp4", token: "0a1b2c3d") == folder + "/.clip.whatsapp-2.mp4.0a1b2c3d.partial")
        #expect(MediaFixPlan.partialToken() != MediaFixPlan.partialToken())
    }

    @Test("a name with control characters is quoted as $'…', with nothing raw left; others keep plain quotes")
    func controlCharacterQuoting() {
        let conversion = MediaConversion(arguments: ["-c", "copy"], outputExtension: "png", muxer: "image2")
        #expect(
            conversion.command(input: "evil\nname\u{1B}[31mred.png", output: "a\tb.png")
                == "ffmpeg -i $'evil\\nname\\x1b[31mred.png' -c copy $'a\\tb.png'")
        // A quote and a backslash beside a control; DEL, a C1 control and a bidi override, byte by byte.
        #expect(ShellQuote.quoted("it's\\\r") == "$'it\\'s\\\\\\x0d'")
        #expect(ShellQuote.quoted("a\u{7F}b\u{9B}c\u{202E}d") == "$'a\\x7fb\\xc2\\x9bc\\xe2\\x80\\xaed'")
        #expect(ShellQuote.quoted("my clip's ü.mp4") == "'my clip'\\''s ü.mp4'")
        let shown = conversion.command(input: "x\u{0}y\u{1F}z\u{85}.png", output: "o.png")
        #expect(!shown.unicodeScalars.contains { TerminalText.isControl($0) || TerminalText.isBidiControl($0) })
    }

    @Test("the command shown for a name with a newline, an escape and a bidi override, run by bash with ffmpeg, writes the output")
    func controlCharacterCommandRuns() throws {
        let ffmpeg = try TestFFmpeg.path()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fixquote-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = "evil\nname\u{1B}[31mred\u{1B}[0m 'q' \\ \u{202E}\tx.png"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("image-gray.png"), toPath: folder + "/" + name)
        let command = try #require(MediaCheck(path: folder + "/" + name, route: .media).fixCommand)
        #expect(command.contains("/evil\\nname\\x1b[31mred\\x1b[0m \\'q\\' \\\\ \\xe2\\x80\\xae\\tx.png' "), "\(command)")
        #expect(!command.unicodeScalars.contains { TerminalText.isControl($0) || TerminalText.isBidiControl($0) })
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.currentDirectoryURL = URL(fileURLWithPath: folder)
        bash.environment = ["PATH": (ffmpeg as NSString).deletingLastPathComponent + ":/usr/bin:/bin"]
        // The command as shown, with "ffmpeg" being the tests' ffmpeg.
        bash.arguments = ["-c", "ffmpeg() { \(ShellQuote.quoted(ffmpeg)) -nostdin -loglevel error \"$@\"; }; " + command]
        bash.standardInput = FileHandle.nullDevice
        try bash.run()
        bash.waitUntilExit()
        #expect(bash.terminationStatus == 0)
        let output = "evil\nname\u{1B}[31mred\u{1B}[0m 'q' \\ \u{202E}\tx.whatsapp.png"
        #expect(FileManager.default.fileExists(atPath: folder + "/" + output))
        #expect(MediaCheck(path: folder + "/" + output, route: .media).status == .ok)
    }
}

@Suite("Media fixer")
struct MediaFixerTests {
    static let files = [
        "video-hevc.mp4", "video-h264-mp3.mp4", "video-h264-two-aac.mp4", "video-h264-no-faststart.mp4", "video-h264-high.mp4",
        "audio-vorbis.ogg", "audio-opus-stereo.ogg", "image-16bit.png", "image-gray.png", "image-palette.png", "image-cmyk.jpg",
        "sticker-300.webp",
    ]

    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fixer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("each refused or warned corpus file is fixed to ok beside it; the original unchanged, no partial left", arguments: files)
    func fixesCorpusFile(name: String) async throws {
        let ffmpeg = try TestFFmpeg.path()
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + name
        try FileManager.default.copyItem(atPath: MediaCorpus.path(name), toPath: path)
        let before = try SHA256Digest.ofFile(at: path)
        let outcome = await MediaFixer.fix(path: path, route: .media, ffmpeg: ffmpeg)
        guard case .fixed(let output, let check) = outcome else { Issue.record("\(name): \(outcome)"); return }
        #expect(check.status == .ok, "\(check.textLine)")
        #expect(FilePaths.fileName(output).contains(".whatsapp."))
        #expect(try SHA256Digest.ofFile(at: path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [name, FilePaths.fileName(output)].sorted())
    }

    @Test("an existing output name is not overwritten: the fix takes the next free name")
    func existingOutput() async throws {
        let ffmpeg = try TestFFmpeg.path()
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.mp4"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("video-h264-no-faststart.mp4"), toPath: path)
        _ = FileManager.default.createFile(atPath: folder + "/clip.whatsapp.mp4", contents: Data("mine".utf8))
        let outcome = await MediaFixer.fix(path: path, route: .media, ffmpeg: ffmpeg)
        guard case .fixed(let output, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(output == folder + "/clip.whatsapp-2.mp4")
        #expect(try String(contentsOfFile: folder + "/clip.whatsapp.mp4", encoding: .utf8) == "mine")
    }

    /// A fake ffmpeg at `folder/name`: runs `script` (with $input and $last, the output,
    /// set), then writes a real ok MP4 to the output, which the check then passes.
    static func fakeFFmpeg(_ folder: String, _ name: String, _ script: String) throws -> String {
        let path = folder + "/" + name
        let good = ShellQuote.quoted(MediaCorpus.path("video-h264-main-aac.mp4"))
        let text =
            "#!/bin/sh\nfor last; do :; done\nwhile [ $# -gt 0 ]; do [ \"$1\" = -i ] && input=$2; shift; done\n"
            + script + "\ncat \(good) > \"$last\"\n"
        try ExecutableScript.write(text, to: path)
        return path
    }

    @Test(
        "the original changing while ffmpeg reads it (grown, rewritten in place with its mtime put back, replaced): nothing kept, fix fails",
        arguments: [
            "echo more >> \"$input\"",
            "touch -r \"$input\" \"$input.time\"; printf XXXX | dd of=\"$input\" bs=1 seek=100 conv=notrunc 2>/dev/null; "
                + "touch -r \"$input.time\" \"$input\"; rm \"$input.time\"",
            "cp \"$input\" \"$input.new\"; mv \"$input.new\" \"$input\"",
        ])
    func originalChanged(script: String) async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.mp4"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("video-hevc.mp4"), toPath: path)
        // Unchanged, the fake ffmpeg's output is kept: in the run below, the change is what fails it.
        let steady = try Self.fakeFFmpeg(folder, "steady-ffmpeg", ":")
        guard case .fixed(let output, let check) = await MediaFixer.fix(path: path, route: .media, ffmpeg: steady) else {
            Issue.record("not fixed"); return
        }
        #expect(check.status == .ok)
        try FileManager.default.removeItem(atPath: output)
        let changing = try Self.fakeFFmpeg(folder, "changing-ffmpeg", script)
        let outcome = await MediaFixer.fix(path: path, route: .media, ffmpeg: changing)
        #expect(outcome == .failed("clip.mp4 changed while it was being converted; nothing was kept — run fix again"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["changing-ffmpeg", "clip.mp4", "steady-ffmpeg"])
    }

    @Test("two fixes of one file at once: both succeed, into two outputs, and no partial is left")
    func concurrentFixes() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.mp4"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("video-hevc.mp4"), toPath: path)
        // Each run writes part of its output, then waits until both ffmpegs run (at most
        // 30 s), then writes the whole: the two overlap however the machine schedules them.
        let marks = folder + ".started"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let slow = try Self.fakeFFmpeg(
            folder, "slow-ffmpeg",
            "echo partial > \"$last\"; touch \(ShellQuote.quoted(marks))/$$; n=0\n"
                + "while [ $(ls \(ShellQuote.quoted(marks)) | wc -l) -lt 2 ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done")
        async let first = MediaFixer.fix(path: path, route: .media, ffmpeg: slow)
        async let second = MediaFixer.fix(path: path, route: .media, ffmpeg: slow)
        let outcomes = await [first, second]
        let outputs = outcomes.compactMap { outcome -> String? in
            guard case .fixed(let output, let check) = outcome, check.status == .ok else { return nil }
            return FilePaths.fileName(output)
        }
        #expect(outputs.sorted() == ["clip.whatsapp-2.mp4", "clip.whatsapp.mp4"], "\(outcomes)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == ["clip.mp4", "clip.whatsapp-2.mp4", "clip.whatsapp.mp4", "slow-ffmpeg"])
    }

    @Test("a file of the user's under the old partial name, .NAME.whatsapp.EXT.partial, is left as it was")
    func usersPartialNameKept() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.mp4"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("video-hevc.mp4"), toPath: path)
        let precious = folder + "/.clip.whatsapp.mp4.partial"
        try "precious".write(toFile: precious, atomically: true, encoding: .utf8)
        let fake = try Self.fakeFFmpeg(folder, "fake-ffmpeg", ":")
        guard case .fixed(let output, _) = await MediaFixer.fix(path: path, route: .media, ffmpeg: fake) else { Issue.record("not fixed"); return }
        #expect(output == folder + "/clip.whatsapp.mp4")
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "precious")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == [".clip.whatsapp.mp4.partial", "clip.mp4", "clip.whatsapp.mp4", "fake-ffmpeg"])
    }

    @Test("cancelled while ffmpeg runs: ffmpeg is killed, no partial and no output are left")
    func cancellation() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.mp4"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("video-hevc.mp4"), toPath: path)
        // An ffmpeg that writes part of its output, then takes two minutes: ending well
        // within that shows it was killed, however loaded the machine.
        let slow = folder + "/slow-ffmpeg"
        try ExecutableScript.write("#!/bin/sh\nfor last; do :; done\necho partial > \"$last\"\nexec sleep 120\n", to: slow)
        let started = ContinuousClock.now
        let task = Task { await MediaFixer.fix(path: path, route: .media, ffmpeg: slow) }
        try await Task.sleep(for: .milliseconds(500))
        task.cancel()
        let outcome = await task.value
        #expect(outcome == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["clip.mp4", "slow-ffmpeg"])
    }

    @Test("ffmpeg failing: its stderr's end in the message, no partial left")
    func failure() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.mp4"
        try FileManager.default.copyItem(atPath: MediaCorpus.path("video-hevc.mp4"), toPath: path)
        let bad = folder + "/bad-ffmpeg"
        try ExecutableScript.write("#!/bin/sh\nyes noise | head -c 100000 >&2\necho 'the last words' >&2\nexit 3\n", to: bad)
        guard case .failed(let message) = await MediaFixer.fix(path: path, route: .media, ffmpeg: bad) else { Issue.record("not failed"); return }
        #expect(message.hasPrefix("ffmpeg exited with 3"))
        #expect(message.hasSuffix("the last words"))
        #expect(message.utf8.count < 2 * MediaFixer.stderrLimit, "the end of stderr only")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["bad-ffmpeg", "clip.mp4"])
    }

    @Test("no ffmpeg anywhere: the message says how to install one")
    func missing() {
        guard case .failure(let missing) = FFmpegLocator.locate(explicit: nil, environment: ["PATH": "/nonexistent"]) else {
            Issue.record("found one"); return
        }
        #expect(missing.message.contains("sudo apt-get install ffmpeg"))
        #expect(missing.message.contains("pip install imageio-ffmpeg"))
        guard case .failure(let explicit) = FFmpegLocator.locate(explicit: "/nonexistent/ffmpeg", environment: [:]) else {
            Issue.record("found"); return
        }
        #expect(explicit.message.contains("--ffmpeg /nonexistent/ffmpeg is not an executable file"))
    }
}
