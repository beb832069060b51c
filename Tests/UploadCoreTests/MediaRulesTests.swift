import Foundation
import TestSupport
import Testing

@testable import UploadCore

@Suite("Media rules")
struct MediaRulesTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 24)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0, count: 28)
    static let pdf = Array("%PDF-1.7\n".utf8)
    static func ftyp(_ brand: String) -> [UInt8] { [0, 0, 0, 0x20] + Array("ftyp\(brand)".utf8) + [UInt8](repeating: 0, count: 16) }

    @Test("types come from magic bytes, not the name")
    func detectsByMagic() {
        #expect(MediaRules.detect(head: Self.png, fileName: "photo.jpg").mime == "image/png")
        #expect(MediaRules.detect(head: Self.jpeg, fileName: "x.png").mime == "image/jpeg")
        #expect(MediaRules.detect(head: Self.pdf, fileName: "a").mime == "application/pdf")
        #expect(MediaRules.detect(head: Self.ftyp("isom"), fileName: "v.mp4").mime == "video/mp4")
        #expect(MediaRules.detect(head: Self.ftyp("3gp4"), fileName: "v.3gp").mime == "video/3gpp")
        #expect(MediaRules.detect(head: Self.ftyp("M4A "), fileName: "a.m4a").mime == "audio/mp4")
        #expect(MediaRules.detect(head: Self.ftyp("qt  "), fileName: "teaser.mov") == MediaType(mime: "video/quicktime", kind: nil))
        #expect(MediaRules.detect(head: Array("OggS".utf8), fileName: "a.ogg").kind == .audio)
        #expect(MediaRules.detect(head: Array("RIFF\0\0\0\0WEBPVP8 ".utf8), fileName: "s.webp").kind == .sticker)
        #expect(MediaRules.detect(head: [0x50, 0x4B, 0x03, 0x04], fileName: "report.docx").kind == .document)
        #expect(MediaRules.detect(head: [0x50, 0x4B, 0x03, 0x04], fileName: "archive.zip").kind == nil)
        #expect(MediaRules.detect(head: Array("hello".utf8), fileName: "notes.txt").mime == "text/plain")
        #expect(MediaRules.detect(head: [0, 1, 2], fileName: "binary.txt").kind == nil)
    }

    @Test("a PNG renamed .pdf is still refused as a resumable document only by its real type")
    func wrongExtension() {
        let verdict = MediaRules.verdict(head: Self.png, fileName: "menu.pdf", size: 1000, route: .resumable)
        #expect(verdict.mediaType?.mime == "image/png")
    }

    @Test("size limits per kind")
    func sizeLimits() {
        let mb: Int64 = 1024 * 1024
        #expect(MediaRules.verdict(head: Self.png, fileName: "a.png", size: 5 * mb, route: .media).mediaType != nil)
        guard case .rejected(let reason) = MediaRules.verdict(head: Self.png, fileName: "a.png", size: 5 * mb + 1, route: .media) else {
            Issue.record("a PNG over 5 MB was accepted"); return
        }
        #expect(reason.contains("5.0 MB limit for image"))
        #expect(MediaRules.verdict(head: Self.pdf, fileName: "b.pdf", size: 100 * mb, route: .resumable).mediaType != nil)
        #expect(MediaRules.verdict(head: Self.pdf, fileName: "b.pdf", size: 100 * mb + 1, route: .resumable).mediaType == nil)
        #expect(MediaRules.verdict(head: Self.ftyp("isom"), fileName: "v.mp4", size: 16 * mb + 1, route: .media).mediaType == nil)
    }

    @Test("the resumable route takes only its five file types")
    func resumableTypes() {
        guard case .rejected(let reason) = MediaRules.verdict(head: Array("OggS".utf8), fileName: "a.ogg", size: 10, route: .resumable) else {
            Issue.record("ogg accepted for a resumable session"); return
        }
        #expect(reason.contains("--via media") && reason.contains("m on the screen"))
        #expect(MediaRules.verdict(head: Array("OggS".utf8), fileName: "a.ogg", size: 10, route: .media).mediaType?.kind == .audio)
    }

    @Test("empty files and unknown types are refused with a reason")
    func refusals() {
        #expect(MediaRules.verdict(head: [], fileName: "a.png", size: 0, route: .media) == .rejected(reason: "the file is empty"))
        #expect(
            MediaRules.verdict(head: Array("GIF89a".utf8), fileName: "a.gif", size: 10, route: .media)
                == .rejected(reason: "WhatsApp does not take image/gif files"))
    }

    @Test("animated stickers get the larger limit")
    func animatedSticker() {
        var head = Array("RIFF\0\0\0\0WEBPVP8X".utf8) + [UInt8](repeating: 0, count: 16)
        #expect(MediaRules.verdict(head: head, fileName: "s.webp", size: 200 * 1024, route: .media).mediaType == nil)
        head[20] = 0x02
        #expect(MediaRules.verdict(head: head, fileName: "s.webp", size: 200 * 1024, route: .media).mediaType != nil)
    }

    @Test("files that cannot be uploaded say why")
    func fileProblems() throws {
        let folder = try TemporaryFolder.make(prefix: "mediaup-rules")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            MediaRules.verdict(forFileAt: folder + "/missing.png", route: .media)
                == .rejected(reason: "\(folder)/missing.png: no such file or directory"))
        #expect(MediaRules.verdict(forFileAt: folder, route: .media) == .rejected(reason: "\(folder) is a folder, not a file"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/dangling", withDestinationPath: folder + "/nowhere")
        #expect(
            MediaRules.verdict(forFileAt: folder + "/dangling", route: .media)
                == .rejected(reason: "\(folder)/dangling is a symbolic link to nothing"))
        #expect(mkfifo(folder + "/pipe", 0o600) == 0)
        #expect(
            MediaRules.verdict(forFileAt: folder + "/pipe", route: .media)
                == .rejected(reason: "\(folder)/pipe is a pipe (FIFO), not a regular file"))
        #expect(MediaRules.verdict(forFileAt: "/dev/null", route: .media) == .rejected(reason: "/dev/null is a device, not a regular file"))
        _ = FileManager.default.createFile(atPath: folder + "/ok.png", contents: Data(Self.png))
        #expect(MediaRules.verdict(forFileAt: folder + "/ok.png", route: .resumable).mediaType?.mime == "image/png")
    }
}

@Suite("Byte and time formats")
struct FormatTests {
    @Test func bytes() {
        #expect(ByteFormat.string(240) == "240 B")
        #expect(ByteFormat.string(240 * 1024) == "240 KB")
        #expect(ByteFormat.string(Int64(14.2 * 1024 * 1024)) == "14.2 MB")
        #expect(ByteFormat.string(Int64(2.1 * 1024 * 1024 * 1024)) == "2.1 GB")
    }

    @Test func clock() {
        #expect(RateMeter.clock(3) == "0:03")
        #expect(RateMeter.clock(65) == "1:05")
        #expect(RateMeter.clock(3723) == "1:02:03")
    }

    @Test("the rate covers the last seconds and resets when the offset goes back")
    func rate() {
        var meter = RateMeter(window: 3)
        meter.record(bytes: 0, at: 0)
        #expect(meter.bytesPerSecond == 0)
        meter.record(bytes: 50_000_000, at: 0.2)  // an early burst into buffers
        for second in 1...10 { meter.record(bytes: 50_000_000 + Int64(second) * 1_000_000, at: 0.2 + Double(second)) }
        #expect(abs(meter.bytesPerSecond - 1_000_000) < 1)
        #expect(meter.secondsLeft(remaining: 10_000_000).map { abs($0 - 10) < 0.01 } == true)
        meter.record(bytes: 0, at: 12)
        #expect(meter.bytesPerSecond == 0)
        #expect(meter.secondsLeft(remaining: 10) == nil)
    }
}
