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
            let disk = try TinyDisk(at: state, size: "512k")
            defer { disk.unmount() }
            var environment = bed.environment
            environment["MEDIAUP_STATE_DIR"] = state

            let file = bed.makeFile("full.png", size: 2_000_000)
            let running = try bed.start(["upload", "--json", file], environment: environment)
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 200_000 })
            // Fill what is left of the tmpfs while the bytes are still on their way.
            #expect(disk.fill())

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
