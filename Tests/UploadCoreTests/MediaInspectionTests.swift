import Foundation
import TestSupport
import Testing

@testable import UploadCore

@Suite("Media inspection")
struct MediaInspectionTests {
    /// What one corpus file must come to, and the facts that say why.
    struct Expected: Sendable, CustomTestStringConvertible {
        var name: String
        var status: MediaCheckStatus
        var mime: String
        var facts: @Sendable (MediaFacts) -> Bool
        var reason: String?
        var testDescription: String { name }
    }

    static let expectations: [Expected] = [
        Expected(name: "video-h264-main-aac.mp4", status: .ok, mime: "video/mp4") {
            $0.container == "mp4" && $0.videoCodec == "h264" && $0.profile == "Main" && $0.audioCodec == "aac" && $0.audioTracks == 1
                && $0.fastStart == true && $0.width == 64 && $0.height == 48 && $0.durationMilliseconds.map { (400...600).contains($0) } == true
        },
        Expected(
            name: "video-h264-high.mp4", status: .warn, mime: "video/mp4", facts: { $0.profile == "High" && $0.audioTracks == 0 },
            reason: "High profile"),
        Expected(
            name: "video-h264-no-faststart.mp4", status: .warn, mime: "video/mp4", facts: { $0.fastStart == false }, reason: "after the media (mdat)"),
        Expected(name: "video-hevc.mp4", status: .refused, mime: "video/mp4", facts: { $0.videoCodec == "hevc" }, reason: "HEVC (H.265)"),
        Expected(name: "video-mpeg4-part2.mp4", status: .refused, mime: "video/mp4", facts: { $0.videoCodec == "mpeg4" }, reason: "MPEG-4 Part 2"),
        Expected(name: "video-h264-mp3.mp4", status: .refused, mime: "video/mp4", facts: { $0.audioCodec == "mp3" }, reason: "the audio is mp3"),
        Expected(name: "video-h264-two-aac.mp4", status: .refused, mime: "video/mp4", facts: { $0.audioTracks == 2 }, reason: "2 audio tracks"),
        Expected(name: "video.3gp", status: .ok, mime: "video/3gpp") { $0.container == "3gp" && $0.videoCodec == "h264" && $0.audioCodec == "aac" },
        Expected(name: "audio.m4a", status: .ok, mime: "audio/mp4") { $0.container == "m4a" && $0.audioCodec == "aac" && $0.profile == "LC" },
        Expected(name: "audio.aac", status: .ok, mime: "audio/aac") { $0.container == "adts" && $0.profile == "LC" && $0.channels == 1 },
        Expected(name: "audio.mp3", status: .ok, mime: "audio/mpeg") { $0.container == "mp3" && $0.audioCodec == "mp3" && $0.channels == 1 },
        Expected(name: "audio.amr", status: .ok, mime: "audio/amr") { $0.container == "amr" && $0.audioCodec == "amr-nb" },
        Expected(name: "audio-opus-mono.ogg", status: .ok, mime: "audio/ogg") { $0.audioCodec == "opus" && $0.channels == 1 && $0.voiceNote == true },
        Expected(
            name: "audio-opus-stereo.ogg", status: .warn, mime: "audio/ogg", facts: { $0.channels == 2 && $0.voiceNote == true },
            reason: "asks for mono"),
        Expected(
            name: "audio-vorbis.ogg", status: .refused, mime: "audio/ogg", facts: { $0.audioCodec == "vorbis" && $0.voiceNote == false },
            reason: "only with Opus"),
        Expected(name: "image-rgb.png", status: .ok, mime: "image/png") { $0.color == "rgb" && $0.bitDepth == 8 && $0.width == 32 },
        Expected(name: "image-rgba.png", status: .ok, mime: "image/png") { $0.color == "rgba" && $0.bitDepth == 8 },
        Expected(name: "image-16bit.png", status: .refused, mime: "image/png", facts: { $0.bitDepth == 16 }, reason: "16 bits per channel"),
        Expected(name: "image-palette.png", status: .warn, mime: "image/png", facts: { $0.color == "palette" }, reason: "palette image"),
        Expected(name: "image-gray.png", status: .warn, mime: "image/png", facts: { $0.color == "gray" }, reason: "grayscale"),
        Expected(name: "image-rgb.jpg", status: .ok, mime: "image/jpeg") { $0.color == "rgb" && $0.bitDepth == 8 && $0.profile == "baseline" },
        Expected(name: "image-gray.jpg", status: .warn, mime: "image/jpeg", facts: { $0.color == "gray" }, reason: "grayscale"),
        Expected(name: "image-cmyk.jpg", status: .refused, mime: "image/jpeg", facts: { $0.color == "cmyk" }, reason: "the colours are cmyk"),
        Expected(name: "sticker-512.webp", status: .ok, mime: "image/webp") { $0.width == 512 && $0.height == 512 && $0.animated == false },
        Expected(name: "sticker-300.webp", status: .refused, mime: "image/webp", facts: { $0.width == 300 }, reason: "must be 512×512"),
        Expected(name: "sticker-animated-512.webp", status: .ok, mime: "image/webp") { $0.width == 512 && $0.animated == true },
    ]

    @Test("every corpus file has an expectation")
    func corpusIsCovered() {
        #expect(MediaCorpus.names == Self.expectations.map(\.name).sorted())
    }

    @Test("each corpus file gets its verdict, its facts and, when not ok, its reason and a fix", arguments: expectations)
    func corpusFile(_ expected: Expected) throws {
        let check = MediaCheck(path: MediaCorpus.path(expected.name), route: .media)
        #expect(check.status == expected.status, "\(check.textLine)")
        #expect(check.type?.mime == expected.mime)
        let facts = try #require(check.inspection?.facts, "\(check.textLine)")
        #expect(expected.facts(facts), "\(facts)")
        if let reason = expected.reason {
            #expect(check.findings.contains { $0.reason.contains(reason) }, "\(check.findings)")
            #expect(check.fixCommand?.hasPrefix("ffmpeg -i '\(MediaCorpus.path(expected.name))' ") == true, "\(check.textLine)")
        } else {
            #expect(check.findings.isEmpty)
        }
        #expect(check.inspection?.bytesRead ?? .max < 4096, "reads headers, not media")
    }

    @Test("a fix that re-encodes to H.264 Main also converts to 4:2:0, which Main requires (HEVC is often 4:4:4 or 10-bit)")
    func reencodeFixesConvertPixels() {
        let fixes = ["video-hevc.mp4", "video-mpeg4-part2.mp4", "video-h264-high.mp4"].compactMap {
            MediaCheck(path: MediaCorpus.path($0), route: .media).fixCommand
        }
        #expect(fixes.count == 3)
        #expect(fixes.allSatisfy { $0.contains("-c:v libx264 -profile:v main -bf 0 -pix_fmt yuv420p ") }, "\(fixes)")
    }

    @Test("the resumable route still refuses what it cannot carry, with the facts read")
    func resumableRouteRefusesAudio() throws {
        let check = MediaCheck(path: MediaCorpus.path("audio-opus-mono.ogg"), route: .resumable)
        #expect(check.status == .refused)
        #expect(check.findings.first?.reason.contains("cannot go through a resumable session") == true)
        #expect(check.inspection?.facts?.audioCodec == "opus")
        #expect(MediaCheck(path: MediaCorpus.path("video-h264-main-aac.mp4"), route: .resumable).status == .ok)
    }

    @Test("a voice note is an Ogg/Opus file of 512 KB at most")
    func voiceNoteSize() throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: MediaCorpus.path("audio-opus-mono.ogg"))))
        let type = MediaType(mime: "audio/ogg", kind: .audio)
        #expect(MediaInspector.inspect(BoundedReader(bytes: bytes), type: type).facts?.voiceNote == true)
        bytes += [UInt8](repeating: 0, count: 512 * 1024)
        #expect(MediaInspector.inspect(BoundedReader(bytes: bytes), type: type).facts?.voiceNote == false)
    }

    @Test("the JSON line has its keys in a fixed order")
    func jsonKeys() throws {
        let line = MediaCheck(path: MediaCorpus.path("video-hevc.mp4"), route: .media).jsonLine
        let keys = [
            "file", "status", "kind", "mime_type", "via", "bytes", "container", "video_codec", "audio_codec", "profile", "width", "height",
            "channels", "bit_depth", "color", "video_tracks", "audio_tracks", "animated", "fast_start", "duration_ms", "voice_note",
            "refused", "warned", "fix",
        ]
        let positions = keys.map { line.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["video_codec"] as? String == "hevc")
        #expect((object["refused"] as? [String])?.count == 1)
        #expect(object["voice_note"] is NSNull)
    }
}
