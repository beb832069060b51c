import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// A file rewritten in place after a crash, with its size and timestamps as before:
/// the bytes the server holds are no longer the file's, so the rest must not be
/// appended to them.
@Suite("A file rewritten with the same size and mtime", .serialized)
struct RewrittenFileTests {
    /// Writes other bytes over the whole file, in place (same inode), then puts its access
    /// and modification times back as they were, to the nanosecond.
    static func rewriteKeepingTimes(_ path: String, magic: [UInt8]) throws {
        var before = stat()
        try #require(stat(path, &before) == 0)
        let size = Int(before.st_size)
        let fresh = Data(magic) + (FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: size - magic.count) ?? Data())
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.write(contentsOf: fresh)
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        try #require(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var after = stat()
        try #require(stat(path, &after) == 0)
        try #require(after.st_size == before.st_size && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec && after.st_ino == before.st_ino)
    }

    @Test("kill -9 mid-upload, rewrite with times restored, rerun: the server holds the new file, not a mix")
    func rewrittenAfterCrash() async throws {
        try await withBinaryBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            let file = bed.makeFile("report.pdf", size: 3_000_000, magic: Magic.pdf)
            let arguments = ["upload", "--json", "--sha256", file]
            let running = try bed.start(arguments)
            let reached = await eventually { await bed.server.sessions().contains { $0.receivedBytes > 1_000_000 } }
            kill(running.process.processIdentifier, SIGKILL)
            _ = await running.outcome()
            try #require(reached, "the upload never got past 1 MB")

            try Self.rewriteKeepingTimes(file, magic: Magic.pdf)
            let fresh = try SHA256Digest.ofFile(at: file)

            let outcome = try await bed.run(arguments)
            let object = outcome.objects.first
            let handle = object?["handle"] as? String
            let sessions = await bed.server.sessions()
            let stored = sessions.first { $0.handle != nil && $0.handle == handle }
            #expect(outcome.status == 0, "\(outcome.stderr.suffix(2000))")
            #expect(object?["state"] as? String == "done", "\(outcome.stdout)")
            #expect(stored != nil, "no server session has the reported handle \(handle ?? "nil")")
            #expect(stored?.sha256 == fresh, "the server holds a mix of the old and the new file")
            if let digest = object?["sha256"] as? String { #expect(digest == fresh, "the reported digest is not the new file's") }
        }
    }
}
