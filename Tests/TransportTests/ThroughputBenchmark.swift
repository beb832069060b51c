import Foundation
import Testing
import Transport
import UploadCore

#if canImport(Glibc)
import Glibc
#endif

/// Manual benchmark, skipped unless `MEDIAUP_BENCH_URL` (a loopback sink that answers
/// after reading the body) and `MEDIAUP_BENCH_FILE` (e.g. a 1 GiB sparse file) are set.
/// Prints throughput and the process's peak RSS; compare with `curl -T FILE URL`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["MEDIAUP_BENCH_URL"] != nil))
func uploadThroughput() async throws {
    let environment = ProcessInfo.processInfo.environment
    let url = try #require(environment["MEDIAUP_BENCH_URL"])
    let path = try #require(environment["MEDIAUP_BENCH_FILE"])
    let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).int64Value
    let transport = CurlTransport()
    for _ in 0..<3 {
        let start = ContinuousClock.now
        let response = try await transport.send(
            HTTPRequest(method: .post, url: url, body: [.file(path: path, offset: 0, length: size)]),
            limits: TransferLimits(), control: TransferControl(), progress: { _ in }
        )
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        #expect(response.status == 200)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("uploaded \(size) bytes in \(seconds) s: \(Int(Double(size) / seconds)) B/s; peak RSS \(usage.ru_maxrss) KiB")
    }
}
