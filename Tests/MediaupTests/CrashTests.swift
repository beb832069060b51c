import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// `kill -9` of `mediaup upload` (3 files) at different moments, then the same command
/// again: every file must end done with equal SHA-256, the journal must hold one done
/// session per file, and a file whose server session already had bytes must be continued,
/// not started over in a second session.
@Suite("Crash trials", .serialized)
struct CrashTests {
    enum Moment: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Right after the process started: most likely before any request.
        case atStart
        /// While session creation is answered 429 and the client waits out Retry-After.
        case whileCreateRateLimited
        /// A server session exists and holds 0 bytes (the sandbox delays reading bodies).
        case sessionWithoutBytes
        /// A session holds part of its body.
        case midBody
        /// The server holds every byte of a.png but the client has not printed its handle:
        /// a reset right at the last byte keeps the reply from the client, so the window
        /// lasts the retry backoff instead of a few microseconds.
        case lastByteBeforeJournal
        /// One file done (its line printed), the others mid-body.
        case afterFirstDone
        /// Two files done, the last one mid-body.
        case afterSecondDone
        /// The server has stopped reading mid-body (a stall) and the client still waits.
        case duringStall
        /// Ctrl-C started a clean pause, and the kill lands while it is under way.
        case whilePausing
        /// The last file is nearly all there.
        case nearTheEnd

        var testDescription: String { rawValue }
    }

    static let small = 300_000

    @Test("kill -9, then the same command finishes every file once", arguments: Moment.allCases)
    func killAndRerun(_ moment: Moment) async throws {
        try await withBinaryBed({
            $0.bytesPerSecond = 1_000_000
            switch moment {
            case .whileCreateRateLimited:
                $0.rateLimitedCreates = 2
                $0.retryAfterSeconds = 3
            case .sessionWithoutBytes:
                $0.uploadStartDelaySeconds = 2
            case .lastByteBeforeJournal:
                $0.resetAtOffsets = [Int64(Self.small)]
            case .duringStall:
                $0.stallAtOffsets = [1_000_000]
                $0.stallSeconds = 30
            default:
                break
            }
        }) { bed in
            let files = [
                bed.makeFile("a.png", size: Self.small),
                bed.makeFile("b.pdf", size: 2_500_000, magic: Magic.pdf),
                bed.makeFile("c.mp4", size: 4_000_000, magic: Magic.mp4),
            ]
            let arguments = ["upload", "--json", "--sha256"] + files
            let running = try bed.start(arguments)
            let printed = { (try? String(contentsOfFile: running.stdoutPath, encoding: .utf8))?.split(separator: "\n").count ?? 0 }

            let reached: Bool
            switch moment {
            case .atStart:
                reached = true
            case .whileCreateRateLimited:
                reached = await eventually { await bed.server.requestLog().contains { $0.status == 429 } }
            case .sessionWithoutBytes:
                reached = await eventually {
                    let sessions = await bed.server.sessions()
                    return !sessions.isEmpty && sessions.allSatisfy { $0.receivedBytes == 0 }
                }
            case .midBody:
                reached = await eventually { await bed.server.sessions().contains { $0.receivedBytes > 1_000_000 } }
            case .lastByteBeforeJournal:
                reached = await eventually {
                    let done = await bed.server.sessions().contains { $0.fileName == "a.png" && $0.receivedBytes == $0.declaredLength }
                    return done && printed() == 0
                }
            case .afterFirstDone:
                reached = await eventually { printed() >= 1 }
            case .afterSecondDone:
                reached = await eventually { printed() >= 2 }
            case .duringStall:
                reached = await eventually { await bed.server.sessions().contains { $0.receivedBytes == 1_000_000 } }
            case .whilePausing:
                reached = await eventually { await bed.server.sessions().contains { $0.receivedBytes > 500_000 } }
                running.process.interrupt()
                try await Task.sleep(for: .milliseconds(50))
            case .nearTheEnd:
                reached = await eventually { await bed.server.sessions().contains { $0.fileName == "c.mp4" && $0.receivedBytes > 3_500_000 } }
            }
            kill(running.process.processIdentifier, SIGKILL)
            let killed = await running.outcome()
            #expect(reached, "\(moment) not reached")
            // A clean pause may win the race with the kill; either way the rerun must finish.
            #expect(
                moment == .whilePausing || running.process.terminationReason == .uncaughtSignal,
                "\(moment): exited \(killed.status) before the kill")
            let before = await bed.server.sessions()
            if moment == .sessionWithoutBytes { #expect(before.allSatisfy { $0.receivedBytes == 0 }) }
            if moment == .lastByteBeforeJournal {
                #expect(before.contains { $0.fileName == "a.png" && $0.receivedBytes == $0.declaredLength })
                #expect(killed.lines.isEmpty, "a.png's handle was printed before the kill")
            }

            let outcome = try await bed.run(arguments)
            #expect(outcome.status == 0, "\(moment): \(outcome.stderr.suffix(2000))")
            let objects = outcome.objects
            #expect(objects.count == files.count, "\(moment): \(outcome.stdout)")
            let after = await bed.server.sessions()
            for path in files {
                let sha = try SHA256Digest.ofFile(at: path)
                let object = objects.first { $0["file"] as? String == path }
                #expect(object?["state"] as? String == "done", "\(moment) \(path): \(object?["error"] ?? "no line")")
                #expect(object?["sha256"] as? String == sha, "\(moment) \(path)")
                let handle = object?["handle"] as? String
                #expect(after.contains { $0.handle != nil && $0.handle == handle && $0.sha256 == sha }, "\(moment) \(path)")

                // A first session that already held bytes is continued, never duplicated.
                let name = (path as NSString).lastPathComponent
                if let first = before.first(where: { $0.fileName == name }), first.receivedBytes > 0 {
                    let sessions = after.filter { $0.fileName == name }
                    #expect(sessions.count == 1, "\(moment) \(name): \(sessions.count) server sessions")
                    #expect(sessions.first?.handle == handle, "\(moment) \(name)")
                }
            }

            let listed = try await bed.run(["sessions", "--json"])
            #expect(listed.status == 0)
            let rows = listed.objects
            for path in files {
                let mine = rows.filter { $0["file"] as? String == path }
                #expect(mine.count == 1, "\(moment) \(path): \(mine.count) journal rows")
            }
            for row in rows {
                #expect(row["state"] as? String == "done", "\(moment): orphan row \(row)")
            }
        }
    }
}
