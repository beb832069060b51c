import Foundation
import Sandbox
import TestSupport
import Testing

@testable import UploadCore

/// Pause drops the bytes still queued in the socket: once the row says *paused at N*,
/// the server holds N and gets no more.
@Suite("Pause stops the bytes")
struct PauseStopsTheBytesTests {
    @Test("after a pause at ~30% the server's offset stops growing and equals the row's")
    func pauseStopsTheBytes() async throws {
        let size: Int64 = 8_000_000
        try await withTestBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("talk.pdf", size: Int(size), magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            try #require(await eventually(within: 30) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) >= size * 3 / 10 })
            await uploader.pause(id: added.id)
            let paused = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(paused.session.state == .paused)
            let atPause = try #require(await bed.server.sessions().first).receivedBytes
            try await Task.sleep(for: .seconds(2))
            let later = try #require(await bed.server.sessions().first).receivedBytes
            // One receive buffer of the rate-limited sandbox (256 KiB at most) may still land.
            #expect(later - atPause <= 256 << 10, "the server received \(later - atPause) bytes after the pause was reported")
            #expect(paused.transferredBytes == later, "the row says \(paused.transferredBytes), the server holds \(later)")
            #expect(paused.session.serverOffset == later)
        }
    }
}
