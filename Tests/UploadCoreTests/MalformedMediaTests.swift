import Foundation
import Synchronization
import TestSupport
import Testing

@testable import UploadCore

@Suite("Malformed media")
struct MalformedMediaTests {
    static let mp4 = MediaType(mime: "video/mp4", kind: .video)

    /// A box: a 32-bit size, a type and a payload.
    static func box(_ type: String, _ payload: [UInt8] = [], size: UInt32? = nil) -> [UInt8] {
        let size = size ?? UInt32(8 + payload.count)
        return withUnsafeBytes(of: size.bigEndian, Array.init) + Array(type.utf8) + payload
    }

    static let ftyp = box("ftyp", Array("isom\0\0\0\0isom".utf8))

    static func reason(_ bytes: [UInt8], _ type: MediaType = mp4, budget: Int = BoundedReader.defaultBudget) -> String? {
        let reader = BoundedReader(bytes: bytes, budget: budget)
        let inspection = MediaInspector.inspect(reader, type: type)
        #expect(reader.bytesRead <= budget)
        return inspection.findings.first?.reason
    }

    @Test("box sizes that lie give could not read, never a crash or an endless walk")
    func lyingBoxSizes() {
        #expect(Self.reason(Self.ftyp) == "could not read: there is no moov box (the index of the tracks)")
        #expect(
            Self.reason(Self.ftyp + Self.box("moov", size: 4)) == "could not read: the moov box at byte 20 declares 4 bytes, less than its own header"
        )
        #expect(Self.reason(Self.ftyp + Self.box("moov", size: 400)) == "could not read: the moov box at byte 20 runs past the end of the file")
        // Size 1: a 64-bit size follows; here an absurd one, then a missing one.
        let huge = Self.box("mdat", size: 1) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0]
        #expect(Self.reason(Self.ftyp + huge) == "could not read: the mdat box declares an impossible size")
        #expect(Self.reason(Self.ftyp + Self.box("mdat", size: 1)) == "could not read: the file ends inside the 64-bit size of the mdat box")
        // Size 0 runs to the end: a moov of size 0 with a truncated child inside.
        #expect(Self.reason(Self.ftyp + Self.box("moov", [0, 0, 0], size: 0)) == "could not read: the file ends inside the box header at byte 28")
        let trak = Self.box("trak", Self.box("mdia", size: 100))
        #expect(Self.reason(Self.ftyp + Self.box("moov", trak)) == "could not read: the mdia box at byte 36 runs past the end of the trak box")
    }

    /// Real corpus files cut at `length` bytes, and what each cut is refused with.
    static let cuts: [(String, Int, String)] = [
        // ftyp, moov at 32 (1476 bytes), free at 1508, mdat at 1516 (3430 bytes): the index is whole.
        ("video-h264-main-aac.mp4", 2473, "the mdat box at byte 1516 runs past the end of the file"),
        ("video-h264-main-aac.mp4", 4945, "the mdat box at byte 1516 runs past the end of the file"),
        ("video-h264-main-aac.mp4", 1520, "the file ends inside the box header at byte 1516"),
        ("video-h264-main-aac.mp4", 1512, "the file ends inside the box header at byte 1508"),
        ("video-h264-main-aac.mp4", 1000, "the moov box at byte 32 runs past the end of the file"),
        ("video-h264-no-faststart.mp4", 2000, "the mdat box at byte 40 runs past the end of the file"),
        ("video.3gp", 3000, "the mdat box at byte 1415 runs past the end of the file"),
        ("audio.m4a", 2000, "the mdat box at byte 798 runs past the end of the file"),
        // Signature, IHDR at 8, IDAT at 33 (57 bytes of data), IEND at 102.
        ("image-rgb.png", 60, "the IDAT chunk at byte 33 runs past the end of the file"),
        ("image-rgb.png", 30, "the IHDR chunk at byte 8 runs past the end of the file"),
        ("image-rgb.png", 102, "the PNG ends before its IEND chunk"),
        ("image-rgb.png", 106, "the PNG ends before its IEND chunk"),
        ("image-palette.png", 800, "the IDAT chunk at byte 723 runs past the end of the file"),
        ("sticker-512.webp", 400, "the RIFF chunk at byte 0 runs past the end of the file"),
        ("sticker-animated-512.webp", 1647, "the RIFF chunk at byte 0 runs past the end of the file"),
    ]

    @Test("a real file cut short, after its index or inside its image data, is refused as could not read", arguments: cuts)
    func truncated(name: String, length: Int, reason: String) throws {
        let bytes = try MediaCorpus.bytes(name)
        let type = MediaRules.detect(head: Array(bytes.prefix(MediaRules.sniffLength)), fileName: name)
        let inspection = MediaInspector.inspect(BoundedReader(bytes: Array(bytes.prefix(length))), type: type)
        #expect(inspection.findings.map(\.reason) == ["could not read: " + reason])
        #expect(MediaInspector.inspect(BoundedReader(bytes: bytes), type: type).findings.allSatisfy { !$0.reason.hasPrefix("could not read") })
    }

    @Test("a cut file on disk is refused by check; the whole file is not")
    func truncatedOnDisk() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mediaup-cut-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = try MediaCorpus.bytes("video-h264-main-aac.mp4")
        try Data(bytes.prefix(2473)).write(to: URL(fileURLWithPath: folder + "/half.mp4"))
        let check = MediaCheck(path: folder + "/half.mp4", route: .media)
        #expect(check.status == .refused)
        #expect(check.findings.map(\.reason) == ["could not read: the mdat box at byte 1516 runs past the end of the file"])
        #expect(MediaCheck(path: MediaCorpus.path("video-h264-main-aac.mp4"), route: .media).status == .ok)
    }

    @Test("top-level boxes after the index are walked up to a bound; a fragmented file's many fragments are not refused")
    func trailingBoxBound() throws {
        let whole = try MediaCorpus.bytes("video-h264-main-aac.mp4")
        let indexed = Array(whole.prefix(1508))  // ftyp and moov
        let cutMdat = Self.box("mdat", size: 1000)
        let within = [UInt8]((0..<(ISOMediaFile.trailingBoxLimit - 1)).flatMap { _ in Self.box("free") })
        #expect(
            Self.reason(indexed + within + cutMdat)
                == "could not read: the mdat box at byte \(1508 + within.count) runs past the end of the file")
        let beyond = [UInt8]((0..<ISOMediaFile.trailingBoxLimit).flatMap { _ in Self.box("free") })
        #expect(Self.reason(indexed + beyond + cutMdat) == nil)
        // Thousands of fragments after the index: more boxes than boxLimit, still judged.
        let fragments = [UInt8]((0..<5000).flatMap { _ in Self.box("moof") + Self.box("mdat") })
        #expect(Self.reason(indexed + fragments) == nil)
    }

    @Test("PNG chunks are walked up to a bound: past it, a file without IEND is taken as it is")
    func pngChunkBound() throws {
        let png = try MediaCorpus.bytes("image-rgb.png")
        let head = Array(png.prefix(102))  // signature, IHDR, IDAT
        let empty = Self.box("tEXt", [0, 0, 0, 0], size: 0)  // length 0, type, CRC
        let within = [UInt8]((0..<(PNGHeader.chunkLimit - 3)).flatMap { _ in empty })
        let image = MediaType(mime: "image/png", kind: .image)
        #expect(Self.reason(head + within, image) == "could not read: the PNG ends before its IEND chunk")
        let beyond = [UInt8]((0..<PNGHeader.chunkLimit).flatMap { _ in empty })
        #expect(Self.reason(head + beyond, image) == nil)
    }

    @Test("absurd counts stop at a cap: boxes, Ogg streams, JPEG segments")
    func absurdCounts() {
        let free = [UInt8]((0..<5000).flatMap { _ in Self.box("free") })
        #expect(Self.reason(Self.ftyp + free) == "could not read: more than 4096 boxes")
        // Pages that each begin a stream and hold nothing.
        let page = Array("OggS".utf8) + [0, 0x02] + [UInt8](repeating: 0, count: 21)
        let ogg = [UInt8]((0..<100).flatMap { _ in page })
        #expect(Self.reason(ogg, MediaType(mime: "audio/ogg", kind: .audio)) == "could not read: more than 64 streams begin")
        let jpeg = [0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 10_000)
        #expect(Self.reason(jpeg, MediaType(mime: "image/jpeg", kind: .image)) == "could not read: no JPEG frame header in the first 512 segments")
    }

    @Test("a file whose headers need more than the budget is refused at the budget")
    func budget() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: MediaCorpus.path("video-h264-main-aac.mp4"))))
        #expect(Self.reason(bytes, budget: 100) == "could not read: the headers need more than 100 B to read")
    }

    /// How long one verdict may take before it counts as a hang: a parse of a few KB held
    /// in memory takes microseconds, so only an endless walk comes near this.
    static let hangBound: Duration = .seconds(2)

    /// `make fuzz` sets a longer run and a new seed; `make test` runs the fixed one.
    static var fuzzIterations: Int { ProcessInfo.processInfo.environment["MEDIAUP_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 4000 }
    static var fuzzSeed: UInt64 { ProcessInfo.processInfo.environment["MEDIAUP_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x6D65_6469_6175_70 }

    @Test("thousands of mutated corpus files each get a verdict, within the read budget, none hanging")
    func fuzz() throws {
        let corpus = try MediaCorpus.names.map { name in
            let bytes = try MediaCorpus.bytes(name)
            let type = MediaRules.detect(head: Array(bytes.prefix(MediaRules.sniffLength)), fileName: name)
            // Where box sizes may be: before four lowercase letters (moov, trak, stsd...).
            let codes = (4..<bytes.count - 4).filter { index in bytes[index..<index + 4].allSatisfy { (0x61...0x7A).contains($0) } }
            return (bytes: bytes, type: type, codes: codes)
        }
        let iterations = Self.fuzzIterations
        let seed = Self.fuzzSeed
        var random = SeededRandom(seed: seed)
        let budget = 16 * 1024
        var unreadable = 0
        var slowest: Duration = .zero
        let clock = ContinuousClock()
        for iteration in 0..<iterations {
            let original = corpus.randomElement(using: &random)!
            var bytes = original.bytes
            // Most inputs get one mutation; some get several, to reach deeper paths.
            for _ in 0..<(Int.random(in: 0..<4, using: &random) == 0 ? 3 : 1) {
                bytes = Self.mutate(bytes, codes: original.codes, using: &random)
            }
            // The original type too, so that mutated magic still reaches the parser behind it.
            let mutatedType = MediaRules.detect(head: Array(bytes.prefix(MediaRules.sniffLength)), fileName: "")
            for type in [original.type, mutatedType] {
                let reader = BoundedReader(bytes: bytes, budget: budget)
                let start = clock.now
                let inspection = MediaInspector.inspect(reader, type: type)
                let took = clock.now - start
                slowest = max(slowest, took)
                #expect(took < Self.hangBound, "input \(iteration) of seed \(seed) took \(took)")
                #expect(reader.bytesRead <= budget)
                if inspection.findings.contains(where: { $0.reason.hasPrefix("could not read: ") }) { unreadable += 1 }
            }
        }
        // Mutations must reach the error paths, or this test tests nothing.
        #expect(unreadable > iterations / 8)
        print("fuzz: inputs=\(iterations) seed=\(seed) unreadable=\(unreadable) slowest=\(slowest)")
    }

    /// One of: bit flips, a truncation, a box size set to 0, 1, tiny or huge, random bytes.
    static func mutate(_ original: [UInt8], codes: [Int], using random: inout SeededRandom) -> [UInt8] {
        var bytes = original
        guard !bytes.isEmpty else { return bytes }
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            }
        case 1:
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        case 2:
            guard let code = codes.randomElement(using: &random), code <= bytes.count else { return bytes }
            let size: [UInt8] = [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 7], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0, 0, 0]].randomElement(using: &random)!
            bytes.replaceSubrange(code - 4..<code, with: size)
        default:
            let start = Int.random(in: 0..<bytes.count, using: &random)
            for index in start..<min(bytes.count, start + Int.random(in: 1...64, using: &random)) {
                bytes[index] = UInt8.random(in: 0...255, using: &random)
            }
        }
        return bytes
    }
}

@Suite("Inspecting what is not a file")
struct InspectingNotAFileTests {
    @Test("a FIFO in a file's place is refused at once, not waited on in open()")
    func fifoIsNotWaitedOn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mediaup-fifo-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/photo.png"
        try #require(mkfifo(fifo, 0o600) == 0)
        // On a thread of its own: were open() to wait for a writer, the test fails instead of hanging.
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<MediaInspection?>(nil)
        Thread.detachNewThread {
            let inspection = MediaInspector.inspect(path: fifo, type: MediaType(mime: "image/png", kind: .image))
            outcome.withLock { $0 = inspection }
            finished.signal()
        }
        guard finished.wait(timeout: .now() + 30) == .success else {
            Issue.record("inspecting a FIFO waited in open()")
            // Let the blocked open() return, so the thread ends.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            return
        }
        let inspection = try #require(outcome.withLock { $0 })
        #expect(inspection.findings.first?.reason.contains("not a regular file") == true, "\(inspection.findings)")
    }
}
