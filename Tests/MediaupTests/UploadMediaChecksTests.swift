import Foundation
import TestSupport
import Testing
import UploadCore

/// `mediaup upload` reads inside each file before the first request, through the binary.
@Suite("upload: media checks")
struct UploadMediaChecksTests {
    @Test("a file WhatsApp would not deliver: exit 1, the reason, the fix and --skip-media-checks on stderr; the server sees nothing")
    func refusedFileIsNotSent() async throws {
        try await withBinaryBed { bed in
            let hevc = try bed.makeFile("clip.mp4", copying: "video-hevc.mp4")
            let outcome = try await bed.run(["upload", hevc])
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("clip.mp4: the video is HEVC (H.265); WhatsApp delivers only H.264 video"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("fix: ffmpeg"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("--skip-media-checks sends it anyway"), "\(outcome.stderr)")
            #expect(await bed.server.requestLog().isEmpty)

            let json = try await bed.run(["upload", "--json", hevc])
            #expect(json.status == 1)
            let report = try #require(json.objects.first)
            #expect(report["state"] as? String == "failed")
            #expect((report["error"] as? String)?.contains("HEVC") == true, "\(report)")
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    @Test("--skip-media-checks sends it: exit 0, the server holds the file's bytes")
    func skipMediaChecksSendsIt() async throws {
        try await withBinaryBed { bed in
            let hevc = try bed.makeFile("clip.mp4", copying: "video-hevc.mp4")
            let outcome = try await bed.run(["upload", "--json", "--skip-media-checks", hevc])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(await bed.server.sessions().first?.sha256 == (try SHA256Digest.ofFile(at: hevc)))
        }
    }

    @Test("a file WhatsApp delivers with a caveat: sent, exit 0, the warning on stderr first and in the JSON line's warnings")
    func warnedFileIsSentAndSaysSo() async throws {
        try await withBinaryBed { bed in
            let high = try bed.makeFile("high.mp4", copying: "video-h264-high.mp4")
            let outcome = try await bed.run(["upload", high])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let warning = try #require(outcome.stderr.split(separator: "\n").first { $0.contains("warning:") }, "\(outcome.stderr)")
            #expect(warning.hasPrefix("mediaup: \(high): warning: H.264 High profile"), "\(warning)")
            #expect(warning.contains("fix: ffmpeg"), "\(warning)")

            let late = try bed.makeFile("late.mp4", copying: "video-h264-no-faststart.mp4")
            let json = try await bed.run(["upload", "--json", late])
            #expect(json.status == 0, "\(json.stderr)")
            let report = try #require(json.objects.first)
            #expect((report["warnings"] as? [String])?.first?.contains("(moov) comes after the media") == true, "\(report)")
            #expect(json.stderr.isEmpty, "--json keeps stderr quiet: \(json.stderr)")
            #expect(
                Set(await bed.server.sessions().compactMap(\.sha256)) == Set([try SHA256Digest.ofFile(at: high), try SHA256Digest.ofFile(at: late)]))
        }
    }
}
