import Foundation
import Logging
import Sandbox

/// A sandbox on a free loopback port with its own temporary folder (`files/` for the
/// test's inputs): what every test that talks to the sandbox starts from.
public final class SandboxFixture: Sendable {
    public let server: SandboxServer
    /// The test's temporary folder; removed by `stop()`.
    public let directory: String

    public init(apiKey: String, _ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mediaup-test-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
        var configuration = SandboxConfiguration(apiKey: apiKey, storageDirectory: directory + "/sandbox")
        configuration.port = 0
        configure(&configuration)
        server = try await SandboxServer.start(configuration, logger: quietLogger("test.sandbox"))
    }

    /// Writes `files/<name>`: `magic`, then random bytes up to `size`.
    public func makeFile(_ name: String, size: Int, magic: [UInt8] = Magic.png) -> String {
        let path = directory + "/files/" + name
        let random = FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: max(0, size - magic.count)) ?? Data()
        _ = FileManager.default.createFile(atPath: path, contents: (Data(magic) + random).prefix(size))
        return path
    }

    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The first bytes of the file types tests upload.
public enum Magic {
    public static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    public static let pdf: [UInt8] = Array("%PDF-1.7\n".utf8)
    public static let mp4: [UInt8] = [0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 0, 0]
    public static let ogg: [UInt8] = Array("OggS".utf8)
    public static let gif: [UInt8] = Array("GIF89a".utf8)
}

/// A logger that drops everything, so test output stays readable.
public func quietLogger(_ label: String) -> Logger {
    Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Polls `condition` until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double = 30, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
