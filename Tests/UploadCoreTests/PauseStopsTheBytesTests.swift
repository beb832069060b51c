import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

/// Pause drops the bytes still queued in the socket: once the pause is done the server
/// stores only what it had already read, and the row shows what it holds.
@Suite("Pause stops the bytes")
struct PauseStopsTheBytesTests {
    @Test("after a pause at ~30% the server stores only what it had read, not the send queue, and the row shows its offset")
    func pauseStopsTheBytes() async throws {
        let size: Int64 = 8_000_000
        try await withTestBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("talk.pdf", size: Int(size), magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            try #require(await eventually(within: 30) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) >= size * 3 / 10 })
            try await uploader.pause(id: added.id)
            let paused = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(paused.session.state == .paused)
            // Measured at the server, not against the last progress report, which a loaded
            // machine may deliver late. After the reset only what the sandbox had already
            // taken from the socket is still stored (its receive buffer and the body
            // stream's read-ahead, a few hundred KB); without the reset the send queue
            // arrived as well (1.45 and 1.95 MB more in two runs).
            let atPause = try #require(await bed.server.sessions().first).receivedBytes
            try await Task.sleep(for: .seconds(2))
            let later = try #require(await bed.server.sessions().first).receivedBytes
            #expect(later - atPause <= 768 << 10, "the server got \(later - atPause) bytes after the pause was done")
            #expect(later < size * 9 / 10, "the send queue did not drain into the server: it holds \(later)")
            #expect(paused.transferredBytes == paused.session.serverOffset)
            #expect(paused.session.serverOffset > 0 && paused.session.serverOffset <= later)
        }
    }
}
