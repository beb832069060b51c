import Foundation
import Sandbox
import TestSupport
import Testing
import Transport
import UploadCore

/// `mediaup media info|download|delete`, the real binary against the sandbox.
@Suite struct MediaCommandTests {
    /// Uploads a PNG-headed file of `size` bytes through `POST /media`; its id and SHA-256.
    private func upload(_ bed: BinaryBed, size: Int) async throws -> (id: String, sha256: String) {
        let path = bed.makeFile("sent.png", size: size)
        let api = MediaAPI(endpoint: try APIEndpoint(baseURL: bed.server.baseURL, apiKey: BinaryBed.key), transport: CurlTransport())
        let id = try await api.uploadMedia(
            path: path, fileName: "sent.png", mimeType: "image/png", length: Int64(size), control: TransferControl(), progress: { _ in })
        return (id, try SHA256Digest.ofFile(at: path))
    }

    private func workFolder(_ bed: BinaryBed) throws -> String {
        let folder = bed.directory + "/work"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    private func run(_ bed: BinaryBed, _ arguments: [String], in folder: String) async throws -> ProcessOutcome {
        try await RunningProcess(BinaryBed.binary, arguments, environment: bed.environment, workingDirectory: folder).outcome()
    }

    @Test func downloadToStandardOutputGivesTheUploadedBytes() async throws {
        try await withBinaryBed { bed in
            let sent = try await upload(bed, size: 5 << 20)
            let process = try bed.start(["media", "download", sent.id, "-o", "-"])
            let outcome = await process.outcome()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try SHA256Digest.ofFile(at: process.stdoutPath) == sent.sha256)
            #expect(outcome.stderr.contains("\(sent.id) → standard output: 5.0 MB (5242880 bytes), sha256 \(sent.sha256) verified"))
        }
    }

    @Test func infoDownloadAndDeleteSayWhatHappenedWithTheirExitCodes() async throws {
        try await withBinaryBed { bed in
            let sent = try await upload(bed, size: 300_000)
            let folder = try workFolder(bed)

            let info = try await run(bed, ["media", "info", "--json", sent.id, "999"], in: folder)
            #expect(info.status == 1)
            #expect(info.objects.count == 2)
            #expect(info.objects.first?["sha256"] as? String == sent.sha256)
            #expect(info.objects.first?["bytes"] as? Int == 300_000)
            #expect(info.objects.first?["mime_type"] as? String == "image/png")
            #expect(
                (info.objects.last?["error"] as? String)?.hasPrefix("no such media id (unknown, expired after 30 days, or deleted): 999 (HTTP 400: ")
                    == true)

            let bad = try await run(bed, ["media", "info", sent.id, "abc"], in: folder)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("abc is not a media id"))
            #expect(bad.stdout.isEmpty)

            let first = try await run(bed, ["media", "download", sent.id], in: folder)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("sha256 \(sent.sha256) verified"))
            #expect(try SHA256Digest.ofFile(at: folder + "/\(sent.id).png") == sent.sha256)

            let again = try await run(bed, ["media", "download", sent.id], in: folder)
            #expect(again.status == 1)
            #expect(again.stderr.contains("already exists; not overwritten; --force replaces it"))
            let forced = try await run(bed, ["media", "download", "--force", sent.id], in: folder)
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["\(sent.id).png"])

            let deleted = try await run(bed, ["media", "delete", sent.id], in: folder)
            #expect(deleted.status == 0)
            #expect(deleted.stdout == "deleted \(sent.id)\n")
            let gone = try await run(bed, ["media", "info", sent.id], in: folder)
            #expect(gone.status == 1)
            #expect(gone.stderr.contains("no such media id (unknown, expired after 30 days, or deleted): \(sent.id)"))
            #expect(!(await bed.server.requestLog()).contains { $0.path.contains("abc") })
        }
    }

    @Test func aDownloadWhoseDigestDisagreesLeavesNoFile() async throws {
        try await withBinaryBed({ $0.misreportsMediaSHA256 = true }) { bed in
            let sent = try await upload(bed, size: 1 << 20)
            let folder = try workFolder(bed)
            let outcome = try await run(bed, ["media", "download", sent.id, "-o", "kept.png"], in: folder)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("does not match its SHA-256"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }

    @Test func forceReplacesAFileOrALinksTargetButNeverAFIFOAndExportIsAlike() async throws {
        try await withBinaryBed { bed in
            let sent = try await upload(bed, size: 100_000)
            let folder = try workFolder(bed)
            #expect(mkfifo(folder + "/pipe", 0o644) == 0)
            let fifo = try await run(bed, ["media", "download", "--force", sent.id, "-o", "pipe"], in: folder)
            #expect(fifo.status == 1 && fifo.stderr.contains("pipe is not a regular file"), "\(fifo.stderr)")
            let export = try await run(bed, ["export", "-o", "pipe"], in: folder)
            #expect(export.status == 1 && export.stderr.contains("pipe is not a regular file"), "\(export.stderr)")
            var info = stat()
            #expect(lstat(folder + "/pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "still a FIFO")

            try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/target.png"))
            try FileManager.default.createSymbolicLink(atPath: folder + "/link.png", withDestinationPath: "target.png")
            let linked = try await run(bed, ["media", "download", "--force", sent.id, "-o", "link.png"], in: folder)
            #expect(linked.status == 0, "\(linked.stderr)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.png") == "target.png", "still a link")
            #expect(try SHA256Digest.ofFile(at: folder + "/target.png") == sent.sha256)
        }
    }

    @Test func ctrlCDuringADownloadLeavesNothingAndExits130() async throws {
        try await withBinaryBed({ $0.downloadBytesPerSecond = 500_000 }) { bed in
            let sent = try await upload(bed, size: 4 << 20)
            let folder = try workFolder(bed)
            let running = try RunningProcess(
                BinaryBed.binary, ["media", "download", sent.id], environment: bed.environment, workingDirectory: folder)
            let started = await eventually(within: 20) {
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains { $0.hasSuffix(".partial") }
            }
            #expect(started, "the temporary appeared")
            kill(running.process.processIdentifier, SIGINT)
            let outcome = await running.outcome()
            #expect(outcome.status == 130, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(sent.id): interrupted; nothing was kept"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        }
    }

    @Test func aLargeDownloadKeepsTheProcessSmall() async throws {
        try await withBinaryBed { bed in
            let size = 96 << 20
            let sent = try await upload(bed, size: size)
            let folder = try workFolder(bed)
            // GNU time gives the child's peak resident set in KiB, on the last line of stderr.
            let outcome = try await RunningProcess(
                "/usr/bin/time", ["-f", "%M", BinaryBed.binary, "media", "download", sent.id, "-o", "big.png"], environment: bed.environment,
                workingDirectory: folder
            ).outcome()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try SHA256Digest.ofFile(at: folder + "/big.png") == sent.sha256)
            let peakKiB = try #require(outcome.stderr.split(separator: "\n").last.flatMap { Int($0) })
            #expect(peakKiB < 72 << 10, "peak RSS \(peakKiB) KiB for a \(size >> 20) MiB download")
        }
    }

    @Test func theDebugLogHasTheCallsButNeitherTheKeyNorTheDownloadHash() async throws {
        try await withBinaryBed { bed in
            let sent = try await upload(bed, size: 200_000)
            let folder = try workFolder(bed)
            var environment = bed.environment
            environment["MEDIAUP_LOG_LEVEL"] = "debug"
            let outcome = try await RunningProcess(
                BinaryBed.binary, ["media", "download", sent.id], environment: environment, workingDirectory: folder
            ).outcome()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let log = try String(contentsOfFile: bed.directory + "/state/mediaup.log", encoding: .utf8)
            #expect(log.contains("GET /\(sent.id) 200"))
            #expect(log.contains("GET /whatsapp_business/attachments/ 200"))
            #expect(!log.contains(BinaryBed.key))
            #expect(!log.contains("hash="))
            #expect(!outcome.stdout.contains(BinaryBed.key) && !outcome.stderr.contains(BinaryBed.key))
        }
    }
}
