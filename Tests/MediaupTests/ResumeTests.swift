import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

@Suite("mediaup resume of a changed file")
struct ResumeTests {
    @Test("resume --all of a paused upload whose file then changed starts it again from 0 with a new session")
    func resumeChangedFileStartsAgain() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 800_000 }) { bed in
            let file = bed.makeFile("grows.pdf", size: 2_000_000, magic: Magic.pdf)
            let running = try bed.start(["upload", file])
            #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 200_000 })
            running.process.interrupt()  // Ctrl-C: pauses, the session kept with its offset
            #expect(await running.outcome().status == 1)
            let first = try #require(await bed.server.sessions().first)

            let handle = try #require(FileHandle(forWritingAtPath: file))
            handle.seekToEndOfFile()
            handle.write(Data(repeating: 9, count: 300_000))
            try handle.close()

            let resumed = try await bed.run(["resume", "--all", "--json"])
            #expect(resumed.status == 0, "stdout: \(resumed.stdout) stderr: \(resumed.stderr)")
            let object = try #require(resumed.objects.first, "\(resumed.stdout)")
            #expect(object["state"] as? String == "done", "\(resumed.stdout)")
            let sessions = await bed.server.sessions()
            #expect(sessions.count == 2, "a new session for the new version")
            let second = try #require(sessions.first { $0.id != first.id })
            #expect(second.declaredLength == 2_300_000)
            #expect(second.sha256 == (try SHA256Digest.ofFile(at: file)))
            let posts = await bed.server.requestLog().filter { $0.method == "POST" && $0.path.hasPrefix("/upload:") }
            let secondPath = "/" + (second.id.split(separator: "?").first.map(String.init) ?? second.id)
            #expect(posts.first { $0.path == secondPath }?.fileOffset == "0", "the new session starts at byte 0: \(posts.map(\.path))")
        }
    }
}
