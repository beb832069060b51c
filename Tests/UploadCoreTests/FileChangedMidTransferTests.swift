import Foundation
import Sandbox
import Synchronization
import TestSupport
import Testing

@testable import UploadCore

#if canImport(Glibc)
import Glibc
#endif

/// A file that changes while it is being sent: the transfer stops within a second, the
/// row says *file changed*, and the server holds clearly less than the whole file.
@Suite("A file that changes mid-transfer stops the transfer")
struct FileChangedMidTransferTests {
    static let size = 16_000_000
    /// Eight seconds of bytes: the change lands well inside the transfer.
    static let rate = 2_000_000

    /// Starts a resumable upload, waits until about 30% is confirmed, runs `change` on
    /// the file, and checks how the row and the server end.
    private func expectStopsEarly(_ change: (TestBed, String) throws -> Void) async throws {
        try await withTestBed({ $0.bytesPerSecond = Self.rate }) { bed in
            let file = bed.makeFile("report.pdf", size: Self.size, magic: Magic.pdf)
            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            let reachedThirty = await eventually(within: 30) {
                (await uploader.snapshot(id: added.id)?.transferredBytes ?? 0) >= Int64(Self.size) * 3 / 10
            }
            try #require(reachedThirty)
            try change(bed, file)
            let result = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(result.session.state == .fileChanged, "\(result.session.state): \(result.session.lastError ?? "")")
            #expect(result.session.handle == nil)
            // Bytes still queued when the transfer stopped would arrive now.
            try await Task.sleep(for: .seconds(1))
            let received = try #require(await bed.server.sessions().first).receivedBytes
            #expect(received < Int64(Self.size) * 6 / 10, "the server received \(received) of \(Self.size) bytes")
        }
    }

    @Test("appending to the file mid-transfer stops it as file changed")
    func appendMidTransfer() async throws {
        try await expectStopsEarly { _, file in
            let handle = try #require(FileHandle(forWritingAtPath: file))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 7, count: 1000))
            try handle.close()
        }
    }

    @Test("deleting the file mid-transfer stops it as file changed")
    func deleteMidTransfer() async throws {
        try await expectStopsEarly { _, file in #expect(unlink(file) == 0) }
    }

    @Test("renaming another file over it mid-transfer stops it as file changed")
    func replaceMidTransfer() async throws {
        try await expectStopsEarly { bed, file in
            let other = bed.makeFile("other.pdf", size: Self.size, magic: Magic.pdf)
            #expect(rename(other, file) == 0)
        }
    }

    @Test("a path replaced by a FIFO between chunks fails promptly, and pauseAllAndWait returns")
    func replacedByFIFO() async throws {
        try await withTestBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("clip.pdf", size: 4_000_000, magic: Magic.pdf)
            let uploader = try bed.makeUploader(chunkSize: 256 << 10)
            let added = try await uploader.add(path: file, route: .resumable).snapshot
            try #require(await eventually(within: 30) { (await uploader.snapshot(id: added.id)?.session.serverOffset ?? 0) > 0 })
            let fifo = bed.directory + "/files/fifo"
            try #require(mkfifo(fifo, 0o600) == 0)
            try #require(rename(fifo, file) == 0)
            let ended = await eventually(within: 10) {
                guard let session = await uploader.snapshot(id: added.id)?.session else { return false }
                return [.failed, .fileChanged].contains(session.state) && session.lastError?.contains("clip.pdf") == true
            }
            let session = await uploader.snapshot(id: added.id)?.session
            #expect(ended, "the row is \(String(describing: session?.state)): \(session?.lastError ?? "")")
            let returned = Flag()
            let stopped = Task {
                await uploader.pauseAllAndWait()
                returned.set()
            }
            #expect(await eventually(within: 10) { returned.isSet }, "pauseAllAndWait waits for a transfer stuck in open()")
            // Before the fix a transfer thread sits in open() for a writer: give it one, so it ends.
            let writer = open(file, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            await stopped.value
        }
    }
}

/// Set once, from any task.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
