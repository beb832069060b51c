import Foundation
import Sandbox
import TestSupport

/// Runs the real `mediaup` binary against an in-process sandbox.
final class BinaryBed: Sendable {
    static let key = "cli-test-key-42"
    let fixture: SandboxFixture

    var server: SandboxServer { fixture.server }
    var directory: String { fixture.directory }

    /// Prefer ``withBinaryBed(_:_:)``, which stops the bed when the test is done.
    init(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws {
        fixture = try await SandboxFixture(apiKey: Self.key, configure)
    }

    /// The binary SwiftPM built beside this test bundle.
    static var binary: String {
        if let override = ProcessInfo.processInfo.environment["MEDIAUP_BINARY"] { return override }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent(), bundle.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("mediaup").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/mediaup").path
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["MEDIAUP_BASE_URL"] = server.baseURL
        environment["D360_API_KEY"] = Self.key
        environment["MEDIAUP_STATE_DIR"] = directory + "/state"
        return environment
    }

    /// Starts `mediaup` with `arguments`, in this bed's environment unless another is given.
    func start(_ arguments: [String], environment: [String: String]? = nil) throws -> RunningProcess {
        try RunningProcess(Self.binary, arguments, environment: environment ?? self.environment)
    }

    /// Runs `mediaup` with `arguments` to its exit.
    func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessOutcome {
        try await start(arguments, environment: environment).outcome()
    }

    func makeFile(_ name: String, size: Int, magic: [UInt8] = Magic.png) -> String {
        fixture.makeFile(name, size: size, magic: magic)
    }

    func makeFile(_ name: String, copying corpusName: String) throws -> String {
        try fixture.makeFile(name, copying: corpusName)
    }

    /// Stops the sandbox, waiting until it has, and removes the bed's folder.
    func stop() async { await fixture.stop() }
}

/// `mediaup --json` prints one JSON object a line.
extension ProcessOutcome {
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    var objects: [[String: Any]] {
        lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Starts a ``BinaryBed`` (its sandbox changed by `configure`), runs `body` with it and
/// stops it before returning or rethrowing.
func withBinaryBed<T>(
    _ configure: (inout SandboxConfiguration) -> Void = { _ in }, _ body: (BinaryBed) async throws -> T
) async throws -> T {
    try await withTeardown(of: try await BinaryBed(configure), { await $0.stop() }, body)
}
