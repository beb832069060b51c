import Foundation
import TestSupport
import Testing

@testable import UploadCore

/// Media ids are opaque: a scripted `/media` server answers ids the sandbox never gives,
/// and the row keeps them exactly as sent.
@Suite("Media ids as the server wrote them")
struct MediaIDTests {
    /// Uploads a small PNG by `/media` to a server that answers `reply`; returns the row.
    private func upload(answering reply: String) async throws -> UploadSnapshot {
        try await withTestBed { bed in
            let file = bed.makeFile("id.png", size: 1_000)
            let server = try LoopbackServer(
                .respond { request in
                    guard request.method == "POST" && request.target == "/media" else { return CannedResponse(status: 404) }
                    return CannedResponse(headers: [("Content-Type", "application/json")], body: Array(reply.utf8))
                })
            defer { server.stop() }
            let uploader = try bed.makeUploader(baseURL: server.baseURL)
            let added = try await uploader.add(path: file, route: .media).snapshot
            return try #require(await uploader.waitUntilSettled([added.id]).first)
        }
    }

    @Test("a string media id with a leading zero is kept as the string, not read as a number")
    func stringIDKeepsLeadingZero() async throws {
        let row = try await upload(answering: #"{"id":"0123"}"#)
        #expect(row.session.state == .done, "\(row.session.lastError ?? "")")
        #expect(row.session.mediaID == "0123")
    }

    @Test("a numeric media id too big for 64 bits is kept as its exact digits", arguments: ["12345678901234567890", "9007199254740993"])
    func numericIDKeepsDigits(digits: String) async throws {
        let row = try await upload(answering: #"{"other":[1,{"id":"x"}],"id" : \#(digits) }"#)
        #expect(row.session.state == .done, "\(row.session.lastError ?? "")")
        #expect(row.session.mediaID == digits)
    }
}
