import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

#if canImport(Glibc)
import Glibc
#endif

@Suite("mediaup when the journal cannot record a handle that arrived")
struct JournalFullAtHandleTests {
    @Test(
        "the disk under the journal fills while the file is sent: the upload still reports done with its handle, exit 0",
        .enabled(if: getuid() == 0))
    func diskFillsBeforeTheHandle() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let state = bed.directory + "/tiny"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            // A small tmpfs of our own: needs root (CAP_SYS_ADMIN), which these tests have.
            let mounted = mount("tmpfs", state, "tmpfs", 0, "size=512k") == 0
            try #require(mounted, "cannot mount a tmpfs: \(FileIdentity.errorText(errno))")
            defer { umount2(state, Int32(MNT_DETACH)) }
            var environment = bed.environment
            environment["MEDIAUP_STATE_DIR"] = state

            let file = bed.makeFile("full.png", size: 2_000_000)
            let running = try bed.start(["upload", "--json", file], environment: environment)
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 200_000 })
            // Fill what is left of the tmpfs while the bytes are still on their way.
            let filler = open(state + "/filler", O_CREAT | O_WRONLY, 0o644)
            #expect(filler >= 0)
            let block = [UInt8](repeating: 0, count: 4096)
            while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
            #expect(errno == ENOSPC)
            close(filler)

            let outcome = await running.outcome()
            let stored = try #require(await bed.server.sessions().first)
            #expect(stored.sha256 == (try SHA256Digest.ofFile(at: file)))
            #expect(outcome.status == 0, "stdout: \(outcome.stdout) stderr: \(outcome.stderr)")
            let object = try #require(outcome.objects.first, "\(outcome.stdout)")
            #expect(object["state"] as? String == "done", "\(outcome.stdout)")
            #expect(object["handle"] as? String == stored.handle)
        }
    }
}
