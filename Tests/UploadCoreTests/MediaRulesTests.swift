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

    /// An `ftyp` box: its size field, the major brand, a minor version and compatible brands.
    static func ftyp(major: String, compatible: [String], size: UInt8? = nil) -> [UInt8] {
        let body = Array(major.utf8) + [0, 0, 0, 0] + compatible.flatMap { Array($0.utf8) }
        return [0, 0, 0, size ?? UInt8(8 + body.count)] + Array("ftyp".utf8) + body
    }

    @Test("an iPhone photo, HEIF or AVIF named .mp4 is refused as the image it is, not sent as a video")
    func isoImageBrandsAreNotVideo() {
        for (major, compatible, what) in [
            ("heic", ["mif1", "heic"], "HEIC"), ("mif1", ["mif1", "heic"], "HEIC"), ("heix", ["mif1"], "HEIC"),
            ("hevc", ["msf1"], "HEIC"), ("msf1", ["msf1"], "HEIF"), ("mif1", ["mif1"], "HEIF"),
            ("avif", ["mif1", "avif"], "AVIF"), ("avis", ["msf1", "avis"], "AVIF"), ("mif1", ["avif"], "AVIF"),
        ] {
            let head = Self.ftyp(major: major, compatible: compatible)
            #expect(MediaRules.detect(head: head, fileName: "photo.mp4").kind == nil, "\(major) taken as media")
            let verdict = MediaRules.verdict(head: head, fileName: "/tmp/photo.mp4", size: 2_000_000, route: .media)
            let article = what == "AVIF" ? "an" : "a"
            #expect(
                verdict == .rejected(reason: "photo.mp4 is \(article) \(what) image, which WhatsApp does not take; convert it to JPEG"),
                "\(major) \(compatible)")
        }
    }

    @Test("only known video brands are video/mp4; an unknown major brand is judged by its compatible brands")
    func isoVideoBrands() {
        for brand in ["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VH", "dash"] {
            #expect(MediaRules.detect(head: Self.ftyp(brand), fileName: "v.mp4") == MediaType(mime: "video/mp4", kind: .video), "\(brand)")
        }
        #expect(MediaRules.detect(head: Self.ftyp("3gp5"), fileName: "v.3gp") == MediaType(mime: "video/3gpp", kind: .video))
        #expect(MediaRules.detect(head: Self.ftyp(major: "XAVC", compatible: ["XAVC", "mp42", "iso2"]), fileName: "v.mp4").mime == "video/mp4")
        #expect(MediaRules.detect(head: Self.ftyp(major: "abcd", compatible: ["abcd", "heic"]), fileName: "v.mp4").kind == nil)
        let unknown = MediaRules.verdict(head: Self.ftyp(major: "abcd", compatible: ["wxyz"]), fileName: "clip.mp4", size: 100, route: .media)
        #expect(unknown.mediaType == nil)
        guard case .rejected(let reason) = unknown else { return }
        #expect(reason.contains("abcd"))
    }

    @Test("truncated and malformed ftyp boxes are judged from the bytes there are, without a crash")
    func oddFtypBoxes() {
        let heic = Self.ftyp(major: "heic", compatible: ["mif1", "heic"])
        // Every prefix of a box, cut anywhere, is judged without a crash.
        for length in 0...heic.count { _ = MediaRules.detect(head: Array(heic.prefix(length)), fileName: "x.mp4") }
        // A major brand cut short is no known brand.
        #expect(MediaRules.detect(head: Array(heic.prefix(10)), fileName: "x.mp4").kind == nil)
        #expect(MediaRules.detect(head: Array(Self.ftyp("isom").prefix(11)), fileName: "x.mp4").kind == nil)
        // The major brand alone, nothing after it, still counts.
        #expect(MediaRules.detect(head: Array(Self.ftyp("mp42").prefix(12)), fileName: "x.mp4").mime == "video/mp4")
        // Box sizes that lie: 0 (to the end of the file), 1 (a 64-bit size), smaller than the
        // header, larger than what was read. None reads past the bytes at hand.
        for size: UInt8 in [0, 1, 4, 9, 12, 15, 16, 200, 255] {
            let box = Self.ftyp(major: "abcd", compatible: ["mp42", "isom"], size: size)
            _ = MediaRules.detect(head: box, fileName: "x.mp4")
            let image = Self.ftyp(major: "heic", compatible: [], size: size)
            #expect(MediaRules.detect(head: image, fileName: "x.mp4").kind == nil, "size \(size)")
        }
        // Compatible brands beyond the box's own size are not its brands.
        #expect(MediaRules.detect(head: Self.ftyp(major: "abcd", compatible: ["mp42"], size: 16), fileName: "x.mp4").kind == nil)
        // A compatible list with a partial last brand and non-ASCII bytes.
        var odd = Self.ftyp(major: "\u{7F}\u{7F}\u{7F}\u{7F}", compatible: ["mp4"])
        odd[3] = 0xFF
        #expect(MediaRules.detect(head: odd, fileName: "x.mp4").kind == nil)
        var binary: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF] + Array("ftyp".utf8) + [0xC3, 0x28, 0xA0, 0xA1] + [0, 0, 0, 0]
        binary += [0xF0, 0x28, 0x8C, 0xBC] + Array("iso".utf8)
        #expect(MediaRules.detect(head: binary, fileName: "x.mp4").kind == nil)
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
