import Foundation
import TestSupport
import Testing

@testable import UploadCore

/// A session whose file changed is judged again, from its new bytes, when it adopts the
/// new version: its MIME type comes from those bytes, and WhatsApp's rules apply to them.
@Suite("Re-judging a changed file")
struct RejudgeTests {
    /// A journal row for `path` as it was when it was a 1,000-byte PNG, in `state`.
    static func storedAsOldPNG(_ path: String, state: UploadState, bed: TestBed) throws -> UploadSession {
        var stored = UploadSession(path: path, fileSize: 1000, fileModified: 1, mimeType: "image/png", route: .resumable)
        stored.state = state
        try bed.journal.save(stored)
        return stored
    }

    @Test("a file that changed before its retry goes up with the MIME type of its new bytes", arguments: [UploadState.fileChanged, .paused])
    func changedFileTakesNewType(state: UploadState) async throws {
        try await withTestBed { bed in
            let file = bed.makeFile("menu.png", size: 3000, magic: Magic.pdf)
            let stored = try Self.storedAsOldPNG(file, state: state, bed: bed)
            let uploader = try bed.makeUploader()
            try await uploader.loadJournal()
            try await uploader.retry(id: stored.id)
            let result = try #require(await uploader.waitUntilSettled([stored.id]).first)
            #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
            #expect(result.session.mimeType == "application/pdf")
            #expect(result.session.fileSize == 3000)
            let server = try #require(await bed.server.sessions().first)
            #expect(server.fileType == "application/pdf")
            #expect(server.sha256 == (try bed.sha256(file)))
            #expect(try bed.journal.session(id: stored.id)?.mimeType == "application/pdf")
        }
    }

    @Test("a changed file that now breaks a rule is refused on retry with the reason, nothing sent", arguments: [UploadState.fileChanged, .paused])
    func changedFileBreakingARuleIsRefused(state: UploadState) async throws {
        try await withTestBed { bed in
            let gif = bed.makeFile("now-a.gif", size: 3000, magic: Magic.gif)
            let huge = bed.makeFile("now-huge.png", size: 5 * 1024 * 1024 + 1)
            let uploader = try bed.makeUploader()
            var ids: [String: String] = [:]
            for path in [gif, huge] { ids[path] = try Self.storedAsOldPNG(path, state: state, bed: bed).id }
            try await uploader.loadJournal()
            for id in ids.values { try await uploader.retry(id: id) }
            let results = await uploader.waitUntilSettled(Array(ids.values))
            let byPath = Dictionary(uniqueKeysWithValues: results.map { ($0.session.path, $0.session) })
            #expect(byPath[gif]?.state == .failed)
            #expect(byPath[gif]?.lastError == "WhatsApp does not take image/gif files")
            #expect(byPath[huge]?.state == .failed)
            #expect(byPath[huge]?.lastError?.contains("over WhatsApp's 5.0 MB limit for image files") == true, "\(byPath[huge]?.lastError ?? "")")
            #expect(await bed.server.sessions().isEmpty, "nothing was sent")
        }
    }
}
