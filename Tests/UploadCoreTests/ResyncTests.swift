import Foundation
import Synchronization
import TestSupport
import Testing

@testable import UploadCore

/// Refused POSTs ("file_offset mismatch") from a scripted server over loopback: the
/// sandbox cannot be made to refuse on cue while its offset moves, and a real earlier
/// connection (a killed run's) only does so when the timing happens to line up.
@Suite("Resync after refused offsets")
struct ResyncTests {
    /// A resumable session of `fileSize` bytes whose POSTs are refused while `held`
    /// says where the server stands; `advance` says how far the offset moves after
    /// each refusal (the bytes of an earlier connection arriving), up to `ghostEnd`.
    private final class ScriptedSession: Sendable {
        struct State {
            var held: Int64 = 0
            var refusals = 0
            var accepted: [UInt8]?
        }
        let state = Mutex(State())
        let fileSize: Int64
        let advance: Int64
        let ghostEnd: Int64

        init(fileSize: Int64, advance: Int64, ghostEnd: Int64) {
            self.fileSize = fileSize
            self.advance = advance
            self.ghostEnd = ghostEnd
        }

        func answer(_ request: ReceivedRequest) -> CannedResponse {
            func json(_ status: Int, _ text: String) -> CannedResponse {
                CannedResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
            }
            if request.method == "POST" && request.target.hasPrefix("/uploads?") { return json(200, #"{"id":"upload:ghost"}"#) }
            guard request.target == "/upload:ghost" else { return json(404, #"{"error":"no such route"}"#) }
            return state.withLock { state in
                if request.method == "GET" { return json(200, #"{"id":"upload:ghost","file_offset":\#(state.held)}"#) }
                let offset = Int64(request.header("file_offset") ?? "") ?? -1
                // The earlier connection is still delivering: it moves the offset on.
                if state.held < ghostEnd || offset != state.held {
                    state.refusals += 1
                    state.held = min(ghostEnd, state.held + advance)
                    return json(400, #"{"error":"file_offset mismatch: server has \#(state.held)"}"#)
                }
                state.accepted = request.body
                state.held = fileSize
                return json(200, #"{"h":"4::aGFuZGxl"}"#)
            }
        }
    }

    /// Uploads a 1,000-byte file to a scripted session whose offset moves `advance`
    /// bytes after each refusal, up to 500; returns the row as it settled and the file's
    /// bytes (read before the test bed, and the file with it, goes away).
    private func upload(advance: Int64) async throws -> (row: UploadSnapshot, script: ScriptedSession, server: LoopbackServer, bytes: [UInt8]) {
        try await withTestBed { bed in
            let file = bed.makeFile("late.png", size: 1_000)
            let script = ScriptedSession(fileSize: 1_000, advance: advance, ghostEnd: 500)
            let server = try LoopbackServer(.respond(script.answer))
            defer { server.stop() }
            let uploader = try bed.makeUploader(baseURL: server.baseURL)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let row = try #require(await uploader.waitUntilSettled([added.id]).first)
            return (row, script, server, try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))))
        }
    }

    @Test("refusals go on while the server's offset keeps moving: the upload waits them out and ends done with the right bytes")
    func offsetStillMoving() async throws {
        // Five refusals in a row, more than the three allowed when nothing moves.
        let (result, script, server, bytes) = try await upload(advance: 100)
        #expect(result.session.state == .done, "\(result.session.lastError ?? "")")
        #expect(result.session.handle == "4::aGFuZGxl")
        let (refusals, accepted) = script.state.withLock { ($0.refusals, $0.accepted) }
        #expect(refusals == 5)
        // Only what the server did not hold was sent, and it is the file's own bytes.
        #expect(accepted.map { $0 == Array(bytes[500...]) } == true, "\(accepted?.count ?? 0) bytes accepted")
        let offsets = server.requests.filter { $0.method == "POST" && $0.target == "/upload:ghost" }.compactMap { $0.header("file_offset") }
        #expect(offsets == ["0", "100", "200", "300", "400", "500"])
    }

    @Test("refusals while the server's offset stands still fail the row after three resyncs, with the server's reason")
    func offsetStandingStill() async throws {
        let (result, script, _, _) = try await upload(advance: 0)
        #expect(result.session.state == .failed)
        #expect(result.session.lastError?.contains("file_offset mismatch: server has 0") == true)
        #expect(script.state.withLock { $0.refusals } == 4)
    }
}
