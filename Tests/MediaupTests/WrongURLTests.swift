import Foundation
import TestSupport
import Testing

@Suite("a base URL with a wrong path")
struct WrongURLTests {
    @Test("upload --base-url …/wrong: the first file fails at once saying the URL is wrong, the others are not sent; exit 1")
    func wrongPath() async throws {
        try await withBinaryBed { bed in
            let files = (0..<3).map { bed.makeFile("w\($0).png", size: 1000) }
            let outcome = try await bed.run(["upload", "--json", "--parallel", "1", "--base-url", bed.server.baseURL + "/wrong"] + files)
            #expect(outcome.status == 1)
            let objects = outcome.objects
            try #require(objects.count == 3, "stdout: \(outcome.stdout)")
            let tried = objects.filter { $0["attempts"] as? Int != 0 }
            #expect(tried.count == 1, "stdout: \(outcome.stdout)")
            #expect(tried.first?["attempts"] as? Int == 1)
            #expect((tried.first?["error"] as? String)?.contains("answered 404 to POST /uploads: is the base URL right?") == true)
            #expect(objects.allSatisfy { $0["state"] as? String == "failed" })
            #expect(objects.filter { ($0["error"] as? String)?.hasPrefix("not sent") == true }.count == 2, "stdout: \(outcome.stdout)")
        }
    }
}
