import Foundation
import TestSupport
import Testing

@testable import UploadCore

/// The uploader reads inside each file before its first request: what WhatsApp would not
/// deliver is refused with the reason and a fix, what it delivers with a caveat goes up
/// with its warnings, and media checks off sends either.
@Suite("Media checks before sending")
struct MediaChecksBeforeSendingTests {
    @Test(
        "a file WhatsApp would not deliver is refused with the reason and a fix; the server sees no request",
        arguments: [
            ("video-hevc.mp4", UploadRoute.resumable, "HEVC"), ("video-h264-mp3.mp4", .resumable, "the audio is mp3"),
            ("video-h264-two-aac.mp4", .media, "2 audio tracks"), ("audio-vorbis.ogg", .media, "vorbis"),
            ("image-16bit.png", .resumable, "16 bits"), ("image-cmyk.jpg", .media, "cmyk"), ("sticker-300.webp", .media, "512×512"),
        ])
    func refusedBeforeAnyRequest(name: String, route: UploadRoute, reason: String) async throws {
        try await withTestBed { bed in
            let file = try bed.makeFile(name, copying: name)
            let uploader = try bed.makeUploader()
            do {
                let outcome = try await uploader.add(path: file, route: route)
                Issue.record("\(name) must be refused, not \(outcome)")
            } catch let error as FileProblem {
                #expect(error.refusedMedia)
                #expect(error.message.contains(reason), "\(error.message)")
                #expect(error.message.contains("fix: ffmpeg"), "\(error.message)")
            } catch {
                Issue.record("not a FileProblem: \(error)")
            }
            #expect(await bed.server.requestLog().isEmpty, "nothing was asked of the server")
            #expect(await uploader.currentSnapshots().isEmpty, "no row was made")
        }
    }

    @Test("a file WhatsApp delivers with a caveat goes up whole, its warnings given with the outcome")
    func warnedFileIsSentWithItsWarnings() async throws {
        try await withTestBed { bed in
            let high = try bed.makeFile("high.mp4", copying: "video-h264-high.mp4")
            let late = try bed.makeFile("late.mp4", copying: "video-h264-no-faststart.mp4")
            let good = try bed.makeFile("good.mp4", copying: "video-h264-main-aac.mp4")
            let uploader = try bed.makeUploader()
            let outcomes = [try await uploader.add(path: high, route: .resumable), try await uploader.add(path: late, route: .resumable)]
            #expect(outcomes[0].warnings.map(\.reason).contains { $0.contains("High profile") }, "\(outcomes[0].warnings)")
            #expect(outcomes[1].warnings.map(\.reason).contains { $0.contains("(moov) comes after") }, "\(outcomes[1].warnings)")
            let plain = try await uploader.add(path: good, route: .resumable)
            #expect(plain.warnings.isEmpty)
            let results = await uploader.waitUntilSettled((outcomes + [plain]).map(\.snapshot.id))
            #expect(results.map(\.session.state) == [.done, .done, .done], "\(results.map(\.session.lastError))")
            let sent = Set(await bed.server.sessions().compactMap(\.sha256))
            #expect(sent == Set([try bed.sha256(high), try bed.sha256(late), try bed.sha256(good)]))
        }
    }

    @Test("media checks off: a refused file goes up, the type and size rules still apply")
    func checksOffSendsAnyway() async throws {
        try await withTestBed { bed in
            let hevc = try bed.makeFile("clip.mp4", copying: "video-hevc.mp4")
            let gif = bed.makeFile("a.gif", size: 3000, magic: Magic.gif)
            let uploader = try bed.makeUploader(checksMedia: false)
            let added = try await uploader.add(path: hevc, route: .resumable)
            #expect(added.warnings.isEmpty)
            let result = try #require(await uploader.waitUntilSettled([added.snapshot.id]).first)
            #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
            #expect(await bed.server.sessions().first?.sha256 == (try bed.sha256(hevc)))
            await #expect(throws: FileProblem("WhatsApp does not take image/gif files")) { try await uploader.add(path: gif, route: .media) }
        }
    }

    @Test("a file rewritten into one WhatsApp would not deliver, before any byte went, fails on resume with the reason; nothing sent")
    func rewrittenIntoRefusedFails() async throws {
        try await withTestBed { bed in
            let file = try bed.makeFile("clip.mp4", copying: "video-h264-main-aac.mp4")
            var stored = UploadSession(path: file, fileSize: 1000, fileModified: 1, mimeType: "video/mp4", route: .resumable)
            stored.state = .paused
            try bed.journal.save(stored)
            try FileManager.default.removeItem(atPath: file)
            try FileManager.default.copyItem(atPath: MediaCorpus.path("video-hevc.mp4"), toPath: file)
            let uploader = try bed.makeUploader()
            try await uploader.loadJournal()
            try await uploader.retry(id: stored.id)
            let result = try #require(await uploader.waitUntilSettled([stored.id]).first)
            #expect(result.session.state == .failed)
            #expect(result.session.lastError?.contains("HEVC") == true, "\(result.session.lastError ?? "")")
            #expect(await bed.server.sessions().isEmpty, "nothing was sent")
        }
    }
}
