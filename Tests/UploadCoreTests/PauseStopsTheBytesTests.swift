import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

/// Pause stops the transfer: once the pause is done the server stores only what it had
/// already taken in, and the row shows what it holds.
@Suite("Pause stops the bytes")
struct PauseStopsTheBytesTests {
    @Test("after a pause at ~30% the transfer stops: the server stores only what it had taken in, and the row shows its offset")
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
            // Measured at the server after the pause is done. What arrives then is what the
            // sandbox had taken from the socket, and under a fully loaded test run that was
            // up to 1.8 MB; a pause that did not stop the transfer would let the remaining
            // 5 MB arrive. That the reset drops the socket's send queue is checked exactly,
            // against a server that counts what it reads, in
            // `CurlTransportTests.cancelResetsTheConnectionSoQueuedBytesNeverArrive`.
            let atPause = try #require(await bed.server.sessions().first).receivedBytes
            try await Task.sleep(for: .seconds(2))
            let later = try #require(await bed.server.sessions().first).receivedBytes
            #expect(later - atPause <= 3_000_000, "the server got \(later - atPause) bytes after the pause was done")
            #expect(later < size * 9 / 10, "the send queue did not drain into the server: it holds \(later)")
            #expect(paused.transferredBytes == paused.session.serverOffset)
            #expect(paused.session.serverOffset > 0 && paused.session.serverOffset <= later)
        }
    }
}
