import Foundation
import Logging
import TestSupport
import Testing

@testable import UploadCore

@Suite("The log file")
struct LogFileTests {
    private func temporaryLog() throws -> String {
        try TemporaryFolder.make(prefix: "mediaup-log") + "/mediaup.log"
    }

    private func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test("appends below the limit; past it the old log moves to .1 and a new one starts")
    func rotation() throws {
        let path = try temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        func log(_ text: String, limit: Int64) {
            let handler = FileLogHandler(label: "test", sink: FileLogHandler.Sink(path: path, rotatingAbove: limit), level: .info)
            Logger(label: "test") { _ in handler }.info("\(text)")
        }
        log("first", limit: 1_000)
        log("second", limit: 1_000)
        #expect(contents(path)?.contains("first") == true && contents(path)?.contains("second") == true)
        #expect(contents(path + ".1") == nil)

        log("third", limit: 10)
        #expect(contents(path + ".1")?.contains("second") == true)
        #expect(contents(path)?.contains("third") == true && contents(path)?.contains("first") == false)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
