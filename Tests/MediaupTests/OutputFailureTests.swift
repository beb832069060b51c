import Foundation
import TestSupport
import Testing
import UploadCore

/// Output that cannot be written (a full disk, a closed descriptor, a reader that left)
/// is an error: exit 1, no trap, and the upload itself is not lost.
@Suite("output that cannot be written")
struct OutputFailureTests {
    /// Runs `mediaup arguments` through bash, after `redirections` (e.g. `exec 2>&-`).
    private func runRedirected(_ bed: BinaryBed, _ redirections: String, _ arguments: [String]) async throws -> ProcessOutcome {
        try await RunningProcess(
            "/bin/bash", ["-c", redirections + "; exec \"$0\" \"$@\"", BinaryBed.binary] + arguments, environment: bed.environment
        )
        .outcome()
    }

    /// The journal's row for `file`, read back through `mediaup sessions --json`.
    private func journalRow(_ bed: BinaryBed, file: String) async throws -> [String: Any]? {
        let listing = try await bed.run(["sessions", "--json"])
        return listing.objects.first { $0["file"] as? String == file }
    }

    /// Whether the journal says `file` is done with a handle, and the server holds its exact bytes.
    private func doneAndStored(_ bed: BinaryBed, file: String) async throws -> Bool {
        guard let row = try await journalRow(bed, file: file), row["state"] as? String == "done", let handle = row["handle"] as? String else {
            return false
        }
        let sha = try SHA256Digest.ofFile(at: file)
        return await bed.server.sessions().contains { $0.handle == handle && $0.sha256 == sha }
    }

    @Test("upload --json with stdout on a full disk: exit 1 saying so, the file is uploaded and journaled done")
    func stdoutFull() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("full.png", size: 50_000)
            let outcome = try await runRedirected(bed, "exec >/dev/full", ["upload", "--json", file])
            #expect(outcome.status == 1, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("standard output"), "stderr: \(outcome.stderr)")
            #expect(!outcome.stderr.contains("Fatal error"), "stderr: \(outcome.stderr)")
            #expect(try await doneAndStored(bed, file: file))
        }
    }

    @Test("upload with stderr closed (a cron job): the file is uploaded and journaled done; exit 1")
    func stderrClosed() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("cron.png", size: 50_000)
            let outcome = try await runRedirected(bed, "exec 2>&-", ["upload", file])
            #expect(outcome.status == 1)
            #expect(try await doneAndStored(bed, file: file))
            // Nothing meant for stderr landed in the journal or the log that took its descriptor.
            let log = (try? String(contentsOfFile: bed.directory + "/state/mediaup.log", encoding: .utf8)) ?? ""
            #expect(!log.contains("cron.png  "))
        }
    }

    @Test("upload --json into a pipe whose reader is gone: exit 1, not SIGPIPE; every file uploaded and journaled done")
    func readerGone() async throws {
        try await withBinaryBed { bed in
            let files = (0..<3).map { bed.makeFile("gone\($0).png", size: 30_000) }
            let pipe = Pipe()
            // The reader goes before the writer starts: every write meets EPIPE.
            try pipe.fileHandleForReading.close()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BinaryBed.binary)
            process.arguments = ["upload", "--json", "--parallel", "1"] + files
            process.environment = bed.environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            let exited = AsyncStream<Void> { continuation in
                process.terminationHandler = { _ in continuation.finish() }
            }
            try process.run()
            for await _ in exited {}
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 1)
            for file in files { #expect(try await doneAndStored(bed, file: file), "\(file)") }
        }
    }

    @Test("sessions with stdout on a full disk exits 1, not 0")
    func sessionsFull() async throws {
        try await withBinaryBed { bed in
            let file = bed.makeFile("listed.png", size: 10_000)
            #expect(try await bed.run(["upload", file]).status == 0)
            let plain = try await runRedirected(bed, "exec >/dev/full", ["sessions"])
            #expect(plain.status == 1, "stderr: \(plain.stderr)")
            let json = try await runRedirected(bed, "exec >/dev/full", ["sessions", "--json"])
            #expect(json.status == 1, "stderr: \(json.stderr)")
        }
    }
}
