import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// The soak: many files of mixed types and sizes through the real binary against a
/// sandbox that answers 503s, cuts connections at random offsets, stalls twice past the
/// stall timeout and rate-limits session creation. `make test` runs it CI-sized;
/// `make soak` runs the same code with `MEDIAUP_SOAK_SCALE` (sizes multiplied, kept
/// within WhatsApp's limits per type) and `MEDIAUP_SOAK_SEED` (the fault draws).
@Suite("Soak")
struct SoakTests {

    /// 40 files: sizes cycle from 4 KB to 4.5 MB, types cycle PNG, JPEG, PDF, MP4, and one
    /// 15 MB MP4; about 57 MB at scale 1.
    static func plan(scale: Double) -> [(name: String, size: Int, magic: [UInt8])] {
        let sizes = [4_000, 20_000, 80_000, 300_000, 900_000, 2_000_000, 4_500_000]
        let kinds: [(ext: String, magic: [UInt8], limit: Int)] = [
            ("png", Magic.png, 5_000_000), ("jpg", Magic.jpeg, 5_000_000),
            ("pdf", Magic.pdf, 99_000_000), ("mp4", Magic.mp4, 15_900_000),
        ]
        var plan: [(name: String, size: Int, magic: [UInt8])] = []
        for i in 0..<39 {
            let kind = kinds[i % kinds.count]
            let size = min(kind.limit, max(1_000, Int(Double(sizes[i % sizes.count]) * scale)))
            plan.append((String(format: "soak-%02d.%@", i, kind.ext), size, kind.magic))
        }
        plan.append(("soak-39.mp4", min(15_900_000, Int(15_000_000 * max(1, scale))), Magic.mp4))
        return plan
    }

    @Test("40 mixed files through 503s, random resets, two stalls and 429s: all done, SHA-256 equal")
    func soak() async throws {
        let environment = ProcessInfo.processInfo.environment
        let scale = environment["MEDIAUP_SOAK_SCALE"].flatMap(Double.init) ?? 1
        let seed = environment["MEDIAUP_SOAK_SEED"].flatMap(UInt64.init) ?? 4
        let resets = environment["MEDIAUP_SOAK_RESETS"].flatMap(Int.init) ?? 1
        try await withBinaryBed({
            $0.failRate = 0.15
            $0.randomResetsPerSession = resets
            $0.faultSeed = seed
            $0.stallAtOffsets = [700_000]
            $0.stallSeconds = 4
            $0.stallLimit = 2
            $0.rateLimitedCreates = 3
            $0.retryAfterSeconds = 1
        }) { bed in
            let plan = Self.plan(scale: scale)
            var files: [String: (size: Int, sha: String)] = [:]
            for item in plan {
                let path = bed.makeFile(item.name, size: item.size, magic: item.magic)
                files[path] = (item.size, try SHA256Digest.ofFile(at: path))
            }
            let totalBytes = plan.map(\.size).reduce(0, +)

            let started = Date()
            let outcome = try await bed.run(
                ["upload", "--parallel", "4", "--json", "--sha256", "--stall-timeout", "2"] + plan.map { bed.directory + "/files/" + $0.name })
            let seconds = Date().timeIntervalSince(started)
            #expect(outcome.status == 0, "stderr: \(outcome.stderr.suffix(2000))")

            let objects = outcome.objects
            #expect(objects.count == plan.count)
            let stored = await bed.server.sessions()
            var attempts = 0
            for object in objects {
                let path = try #require(object["file"] as? String)
                let expected = try #require(files[path])
                #expect(object["state"] as? String == "done", "\(path): \(object["error"] ?? "")")
                #expect(object["sha256"] as? String == expected.sha, "\(path)")
                let handle = object["handle"] as? String
                let session = stored.first { $0.handle != nil && $0.handle == handle }
                #expect(session?.sha256 == expected.sha, "\(path): the sandbox holds other bytes")
                attempts += object["attempts"] as? Int ?? 0
            }
            #expect(Set(objects.compactMap { $0["file"] as? String }) == Set(files.keys))

            let bodyBytes = stored.map(\.totalBodyBytesReceived).reduce(0, +)
            let resent = bodyBytes - Int64(totalBytes)
            let refusals = await bed.server.offsetRefusals()
            // Below what a GET had answered, not below what the sandbox held: bytes of a cut
            // request it had read are still stored after it answers.
            let backwards = refusals.filter(\.isBelowReported)
            #expect(backwards.isEmpty, "the client went below a server-confirmed offset: \(backwards)")
            let stalls = await bed.server.stallsFired()
            #expect(stalls == 2)
            let log = await bed.server.requestLog()
            let failures = log.filter { ($0.status ?? 0) >= 429 }.count
            let cuts = log.filter { $0.status == nil }.count
            print(
                String(
                    format:
                        "soak: files=%d bytes=%d seconds=%.1f retries=%d resent=%lld refused_offsets=%d (backwards %d) sessions=%d stalls=%d 429/5xx=%d cut=%d scale=%g seed=%llu",
                    objects.count, totalBytes, seconds, attempts - objects.count, resent, refusals.count, backwards.count,
                    stored.count, stalls, failures, cuts, scale, seed))
        }
    }
}
