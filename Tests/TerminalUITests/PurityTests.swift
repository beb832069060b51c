import Foundation
import Testing

/// TerminalUI is values and pure functions. Package.swift keeps CNCurses out; Foundation
/// re-exports Dispatch and the C library on Linux, so this keeps the rest out.
@Suite("TerminalUI stays pure")
struct PurityTests {
    static let forbidden = [
        "import Dispatch", "import Synchronization", "import Glibc", "import Darwin", "import CNCurses",
        "DispatchQueue", "DispatchSource", "Mutex", "Thread", "Task {", "FileManager", "FileHandle",
        "opendir", "fopen", "stat(", "NSHomeDirectory", "ProcessInfo", "getenv", "Date()",
    ]

    @Test("no threads, locks, disk, environment or clock in its sources")
    func noEffects() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TerminalUI")
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10, "Sources/TerminalUI not found at \(sources.path)")
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for word in Self.forbidden {
                #expect(!text.contains(word), "\(file) uses \(word)")
            }
        }
    }
}
