import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

@Suite("Uploader when every byte is on the server but no handle comes")
struct LostHandleTests {
    @Test("no handle for the last chunk nor for the empty POST at the end: a new session is sent, done")
    func handleNeverComesStartsANewSession() async throws {
        // Three replies without h: the last chunk's and the empty POST's of the first
        // session, then the last chunk's of the next one. One retry allowed: asking the
        // first session again would spend it and fail.
        try await withTestBed({ $0.oddities = [.init(.missingHandle, on: .upload, count: 3)] }) { bed in
            let file = bed.makeFile("h.png", size: 300_000)
            let uploader = try bed.makeUploader(retries: 1)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
            let sessions = await bed.server.sessions()
            #expect(sessions.count == 2, "a second session for the second sending")
            let used = try #require(sessions.first { $0.id == result.session.remoteID })
            #expect(used.sha256 == (try bed.sha256(file)))
            #expect(result.session.handle == used.handle)
            #expect(result.session.sha256 == used.sha256)
            let row = try #require(try bed.journal.session(id: result.id))
            #expect(row.state == .done && row.handle == used.handle)
        }
    }
}
