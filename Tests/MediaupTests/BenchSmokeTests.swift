import Foundation
import TestSupport
import Testing

/// `make bench` at toy sizes, once per comparison: the harness must keep working as
/// the code changes. Its numbers are not judged here (timing goals live in `make
/// bench`, never in a test); what is checked is that every comparison ran to the end
/// against the real binary and the sandbox, and that the table came out whole.
@Suite("make bench, smoke run")
struct BenchSmokeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("every comparison runs and the table has all ten rows")
    func smokeRun() async throws {
        try await withBinaryBed { bed in
            let results = bed.directory + "/RESULTS.md"
            var environment = ProcessInfo.processInfo.environment
            environment["TMPDIR"] = bed.directory
            let running = try RunningProcess(
                "/usr/bin/env",
                ["python3", Self.packageRoot + "/bench/bench.py", "--smoke", "--bin", BinaryBed.binary, "--out", results],
                environment: environment)
            let outcome = await running.outcome()
            #expect(outcome.status == 0, "stderr: \(outcome.stderr)")

            let written = try String(contentsOfFile: results, encoding: .utf8)
            #expect(written.contains("smoke run"))
            for table in [outcome.stdout, written] {
                let rows = table.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| #") }
                let numbers: [String] = rows.map { row in String(row.split(separator: "|")[0]).trimmingCharacters(in: .whitespaces) }
                #expect(numbers == (1...10).map(String.init))
                // Each row ends with whether its goal was met; a crash mid-row would leave it short.
                #expect(rows.allSatisfy { $0.hasSuffix("| yes |") || $0.hasSuffix("| **no** |") }, "\(rows)")
            }
        }
    }
}
