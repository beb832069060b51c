import Foundation
import Sandbox
import Synchronization
import TestSupport
import Testing

@testable import UploadCore

/// Pause drops the bytes still queued in the socket: the server ends with no more than
/// it had acknowledged when the row was paused, and the row shows what it holds.
@Suite("Pause stops the bytes")
struct PauseStopsTheBytesTests {
    @Test("after a pause at ~30% the server gets no more than it had acknowledged, and the row shows its offset")
    func pauseStopsTheBytes() async throws {
        let size: Int64 = 8_000_000
        try await withTestBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("talk.pdf", size: Int(size), magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let events = await uploader.events()
            // The most progress (bytes the sandbox acknowledged) the row ever showed.
            let shown = Task {
                var most: Int64 = 0
                for await event in events {
                    if case .updated(let snapshot) = event, snapshot.session.state == .uploading { most = max(most, snapshot.transferredBytes) }
                }
                return most
            }
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            try #require(await eventually(within: 30) { (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) >= size * 3 / 10 })
            try await uploader.pause(id: added.id)
            let paused = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(paused.session.state == .paused)
            try await Task.sleep(for: .seconds(2))
            shown.cancel()
            let acknowledged = await shown.value
            let later = try #require(await bed.server.sessions().first).receivedBytes
            // The last progress report may trail the reset by a fraction of a second of bytes;
            // the socket's send queue (megabytes) must not arrive.
            #expect(later <= acknowledged + 768 << 10, "the server holds \(later), it had acknowledged \(acknowledged)")
            #expect(paused.transferredBytes == paused.session.serverOffset)
            #expect(paused.session.serverOffset > 0 && paused.session.serverOffset <= later)
        }
    }
}
