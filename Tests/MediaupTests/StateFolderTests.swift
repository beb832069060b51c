import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// The state folder: made safely by processes that start together, and readable by its
/// owner only (it holds paths, signed session ids, handles and media ids).
@Suite("The state folder", .serialized)
struct StateFolderTests {
    @Test("six processes starting together on a fresh state folder all open the journal")
    func concurrentCreation() async throws {
        let root = try TemporaryFolder.make(prefix: "mediaup-state")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var failures: [String] = []
        for trial in 0..<10 {
            let directory = "\(root)/trial-\(trial)"
            let processes = try (0..<6).map { _ in try RunningProcess(BinaryBed.binary, ["sessions", "--json", "--state-dir", directory]) }
            for process in processes {
                let outcome = await process.outcome()
                if outcome.status != 0 { failures.append("trial \(trial): exit \(outcome.status): \(outcome.stderr)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 60 failed: \(failures.prefix(3))")
    }

    @Test("under umask 022 the folder is 0700 and the journal, its WAL, locks and log are 0600")
    func ownerOnly() async throws {
        let previous = umask(0o022)
        defer { umask(previous) }
        try await withBinaryBed { bed in
            let file = bed.makeFile("private.png", size: 50_000)
            let outcome = try await bed.run(["upload", "--json", file])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let state = bed.directory + "/state"
            func mode(_ path: String) -> Int? {
                var info = stat()
                return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : nil
            }
            #expect(mode(state) == 0o700, "the state folder")
            #expect(mode(state + "/locks") == 0o700, "the locks folder")
            let locks = (try? FileManager.default.contentsOfDirectory(atPath: state + "/locks")) ?? []
            #expect(!locks.isEmpty)
            var files = [Journal.fileName, "mediaup.log"] + locks.map { "locks/" + $0 }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: state)) ?? []
            files += names.filter { $0.hasPrefix(Journal.fileName + "-") || $0.hasSuffix("salt") }
            for name in files {
                #expect(mode(state + "/" + name) == 0o600, "\(name): \(String(mode(state + "/" + name) ?? 0, radix: 8))")
            }
        }
    }
}
