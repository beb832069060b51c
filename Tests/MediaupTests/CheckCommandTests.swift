import Foundation
import TestSupport
import Testing
import UploadCore

@Suite("mediaup check")
struct CheckCommandTests {
    static let corpus = MediaCorpus.folder

    @Test("a folder: one JSON object per file in a fixed key order, exit 1 as some are refused")
    func jsonOverTheCorpus() async throws {
        try await withBinaryBed { bed in
            let outcome = try await bed.run(["check", "--via", "media", "--json", Self.corpus])
            #expect(outcome.status == 1, "stderr: \(outcome.stderr)")
            // In the screen's order of names: letter case does not count.
            let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted { $0.lowercased() < $1.lowercased() }
            #expect(outcome.lines.count == names.count)
            let objects = outcome.objects
            #expect(objects.count == names.count)
            #expect(objects.map { ($0["file"] as? String).map { ($0 as NSString).lastPathComponent } } == names)
            let byName = Dictionary(uniqueKeysWithValues: objects.map { ((($0["file"] as? String ?? "") as NSString).lastPathComponent, $0) })
            #expect(byName["video-hevc.mp4"]?["status"] as? String == "refused")
            #expect(byName["video-hevc.mp4"]?["video_codec"] as? String == "hevc")
            #expect(byName["video-h264-high.mp4"]?["status"] as? String == "warn")
            #expect(byName["audio-opus-mono.ogg"]?["status"] as? String == "ok")
            #expect(byName["audio-opus-mono.ogg"]?["mime_type"] as? String == "audio/ogg")
            #expect(byName["audio-opus-mono.ogg"]?["voice_note"] as? Bool == true)
            #expect((byName["image-cmyk.jpg"]?["fix"] as? String)?.hasPrefix("ffmpeg -i '\(Self.corpus)/image-cmyk.jpg' ") == true)
            #expect(byName["video-h264-main-aac.mp4"]?["fix"] is NSNull)
            let first = try #require(outcome.lines.first)
            let keys = [
                "\"file\":", "\"status\":", "\"kind\":", "\"mime_type\":", "\"via\":", "\"bytes\":", "\"container\":", "\"refused\":", "\"fix\":",
            ]
            let positions = keys.compactMap { first.range(of: $0)?.lowerBound }
            #expect(positions.count == keys.count && positions == positions.sorted(), "\(first)")
        }
    }

    @Test("text: one line per file with its status, kind, facts, reasons and fix; exit 0 with nothing refused")
    func textLines() async throws {
        try await withBinaryBed { bed in
            let outcome = try await bed.run([
                "check", "--via", "media", Self.corpus + "/video-h264-main-aac.mp4", Self.corpus + "/video-h264-no-faststart.mp4",
            ])
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")
            #expect(outcome.lines.count == 2)
            // Each file by the path it was named by: two files of one name stay apart.
            #expect(outcome.lines.first == "ok  video  \(Self.corpus)/video-h264-main-aac.mp4  mp4 h264 Main 64×48 aac 1 ch 0.5 s")
            let late = Self.corpus + "/video-h264-no-faststart"
            #expect(outcome.lines.last?.hasPrefix("warn  video  \(late).mp4  mp4 h264 Main 64×48 aac 1 ch no fast start") == true)
            #expect(outcome.lines.last?.hasSuffix("; fix: ffmpeg -i '\(late).mp4' -c copy -movflags +faststart '\(late).whatsapp.mp4'") == true)
        }
    }

    @Test("the route's type list applies: Ogg is refused for a resumable session, the default")
    func resumableRoute() async throws {
        try await withBinaryBed { bed in
            let outcome = try await bed.run(["check", Self.corpus + "/audio-opus-mono.ogg"])
            #expect(outcome.status == 1)
            #expect(outcome.stdout.contains("cannot go through a resumable session"))
            #expect(outcome.stdout.hasPrefix("refused  audio  \(Self.corpus)/audio-opus-mono.ogg  ogg opus 1 ch voice note: "))
        }
    }

    @Test("a folder that cannot be listed and a name that is not UTF-8 are refused with the reason; an empty folder is said")
    func unreadable() async throws {
        try await withBinaryBed { bed in
            let folder = bed.directory + "/odd"
            try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
            let empty = bed.directory + "/empty"
            try FileManager.default.createDirectory(atPath: empty + "/only-a-folder", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.corpus + "/image-rgb.png", toPath: folder + "/fine.png")
            // A name with bytes that are not UTF-8, made through the C API.
            let raw = Array((folder + "/bad").utf8) + [0xFF, 0xFE] + Array(".png".utf8) + [0]
            let fd = raw.withUnsafeBufferPointer {
                open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
            }
            #expect(fd >= 0)
            close(fd)
            // Root reads any folder whatever its mode, but not another process's map_files.
            let unreadable = getuid() == 0 ? "/proc/1/map_files" : bed.directory + "/locked"
            if getuid() != 0 {
                try FileManager.default.createDirectory(atPath: unreadable, withIntermediateDirectories: false, attributes: [.posixPermissions: 0])
            }
            let outcome = try await bed.run(["check", folder, empty, unreadable])
            #expect(outcome.status == 1)
            #expect(outcome.lines.count == 3, "\(outcome.stdout)")
            #expect(
                outcome.lines.first
                    == "refused  -  \(folder)/bad\\xFF\\xFE.png: the name is not valid UTF-8; rename the file to upload it; no conversion fixes it")
            #expect(outcome.lines[1].hasPrefix("ok  image  \(folder)/fine.png"))
            let last = try #require(outcome.lines.last)
            #expect(last.hasPrefix("refused  -  \(unreadable): cannot ") && last.contains("\(unreadable): permission denied"), "\(last)")
            #expect(outcome.stderr == "mediaup: no files in \(empty)\n", "\(outcome.stderr)")
        }
    }

    @Test("a name that would drive the terminal is shown escaped")
    func escapedName() async throws {
        try await withBinaryBed { bed in
            let path = bed.directory + "/clip\u{1B}[2J.mp4"
            try FileManager.default.copyItem(atPath: Self.corpus + "/video-hevc.mp4", toPath: path)
            let outcome = try await bed.run(["check", path])
            #expect(outcome.status == 1)
            #expect(!outcome.stdout.contains("\u{1B}"))
            #expect(outcome.stdout.contains("clip\\x1b[2J.mp4"))
        }
    }

    @Test("700 files, checked on every core: one line each, in the order of the names, each with its own file's verdict")
    func manyFilesKeepTheirOrder() async throws {
        try await withBinaryBed { bed in
            let folder = bed.directory + "/many"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let corpus = MediaCorpus.names
            var expected: [String: String] = [:]
            for check in try await bed.run(["check", "--via", "media", "--json", Self.corpus]).objects {
                expected[((check["file"] as? String ?? "") as NSString).lastPathComponent] = check["status"] as? String
            }
            #expect(corpus.allSatisfy { expected[$0] != nil })
            var names: [String] = []
            for index in 0..<700 {
                let source = corpus[index % corpus.count]
                let name = String(format: "%04d-", index) + source
                try FileManager.default.copyItem(atPath: MediaCorpus.path(source), toPath: folder + "/" + name)
                names.append(name)
            }
            let outcome = try await bed.run(["check", "--via", "media", "--json", folder])
            #expect(outcome.status == 1)
            let files = outcome.objects.map { (($0["file"] as? String ?? "") as NSString).lastPathComponent }
            #expect(files == names)
            for object in outcome.objects {
                let name = ((object["file"] as? String ?? "") as NSString).lastPathComponent
                #expect(object["status"] as? String == expected[String(name.dropFirst(5))], "\(name)")
            }
        }
    }

    @Test("no path or an unknown route is bad usage: exit 2")
    func usage() async throws {
        try await withBinaryBed { bed in
            let none = try await bed.run(["check"])
            #expect(none.status == 2)
            #expect(none.stderr.contains("name at least one file or folder to check"))
            let route = try await bed.run(["check", "--via", "carrier-pigeon", Self.corpus])
            #expect(route.status == 2)
        }
    }
}

@Suite("mediaup fix")
struct FixCommandTests {
    @Test("text and JSON: one line per file, the new file beside the original; exit 0 when all are fixed or need nothing, 1 otherwise")
    func fixesFiles() async throws {
        let ffmpeg = try TestFFmpeg.path()
        try await withBinaryBed { bed in
            let hevc = try bed.makeFile("clip.mp4", copying: "video-hevc.mp4")
            let folder = (hevc as NSString).deletingLastPathComponent
            let fine = try bed.makeFile("fine.png", copying: "image-rgb.png")
            let text = try await bed.run(["fix", "--via", "media", "--ffmpeg", ffmpeg, hevc, fine])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.lines == ["fixed  \(hevc) → clip.whatsapp.mp4  (now ok)", "nothing to fix  \(fine)"])
            #expect(FileManager.default.fileExists(atPath: folder + "/clip.whatsapp.mp4"))

            let ogg = try bed.makeFile("note.ogg", copying: "audio-opus-mono.ogg")
            let json = try await bed.run(["fix", "--json", "--ffmpeg", ffmpeg, hevc, ogg])
            #expect(json.status == 1)
            #expect(json.objects.first?["result"] as? String == "fixed")
            #expect(json.objects.first?["output"] as? String == folder + "/clip.whatsapp-2.mp4")
            #expect(json.objects.last?["result"] as? String == "cannot_fix")
            #expect((json.objects.last?["error"] as? String)?.hasSuffix("no conversion fixes it") == true)
        }
    }

    @Test("interrupted while ffmpeg runs: exit 130, ffmpeg killed, nothing left beside the original")
    func interrupted() async throws {
        try await withBinaryBed { bed in
            let clip = try bed.makeFile("clip.mp4", copying: "video-hevc.mp4")
            let folder = (clip as NSString).deletingLastPathComponent
            let original = try SHA256Digest.ofFile(at: clip)
            // An ffmpeg that names its process, writes part of its output, then takes two minutes.
            let slow = folder + "/slow-ffmpeg"
            let pidFile = folder + "/ffmpeg.pid"
            try ExecutableScript.write(
                "#!/bin/sh\necho $$ > '\(pidFile)'\nfor last; do :; done\necho partial > \"$last\"\nexec sleep 120\n", to: slow)
            let fix = try bed.start(["fix", "--via", "media", "--ffmpeg", slow, clip])
            #expect(await eventually { FileManager.default.fileExists(atPath: pidFile) })
            let ffmpegPID = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(fix.process.processIdentifier, SIGINT)
            let outcome = await fix.outcome()
            #expect(outcome.status == 130, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("interrupted; the file being converted was left as it was"), "\(outcome.stderr)")
            #expect(outcome.duration < 60, "ffmpeg was not waited out")
            #expect(await eventually { kill(ffmpegPID, 0) != 0 }, "ffmpeg still runs")
            let left = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("clip") }
            #expect(left == ["clip.mp4"], "no partial, no output")
            #expect(try SHA256Digest.ofFile(at: clip) == original)
        }
    }

    @Test("no file, or no ffmpeg: exit 2, the message says how to install one")
    func usage() async throws {
        try await withBinaryBed { bed in
            #expect(try await bed.run(["fix"]).status == 2)
            var environment = bed.environment
            environment["PATH"] = "/nonexistent"
            environment["MEDIAUP_FFMPEG"] = nil
            let missing = try await bed.run(["fix", "x.mp4"], environment: environment)
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("pip install imageio-ffmpeg"), "\(missing.stderr)")

            // A name that is not UTF-8 arrives repaired: another name, which must not be opened.
            let raw = Array((bed.directory + "/bad").utf8) + [0xFF] + Array(".png".utf8) + [0]
            let fd = raw.withUnsafeBufferPointer {
                open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
            }
            close(fd)
            let script = "exec \"$0\" fix --ffmpeg /bin/true \"$1\"/bad$(printf '\\377').png"
            let process = try RunningProcess("/bin/sh", ["-c", script, BinaryBed.binary, bed.directory], environment: bed.environment)
            let named = await process.outcome()
            #expect(named.status == 1)
            #expect(named.stdout.contains(": the name is not valid UTF-8, so mediaup cannot name that exact file; rename it"), "\(named.stdout)")
        }
    }
}
