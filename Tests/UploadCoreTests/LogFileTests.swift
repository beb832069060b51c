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

    @Test("two writers on one log (two processes, or two handlers) keep every line")
    func twoWriters() throws {
        let path = try temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let first = FileLogHandler(label: "one", sink: FileLogHandler.Sink(path: path), level: .info)
        let second = FileLogHandler(label: "two", sink: FileLogHandler.Sink(path: path), level: .info)
        let loggers = [Logger(label: "one") { _ in first }, Logger(label: "two") { _ in second }]
        for index in 0..<20 { loggers[index % 2].info("line \(index)") }
        let lines = contents(path)?.split(separator: "\n") ?? []
        let missing = (0..<20).filter { index in !lines.contains { $0.hasSuffix("line \(index)") } }
        #expect(missing.isEmpty, "lost lines \(missing); the log holds \(lines.count)")
        #expect(lines.count == 20)
    }
}
