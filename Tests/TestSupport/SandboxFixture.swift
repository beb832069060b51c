import Foundation
import Logging
import Sandbox

/// A sandbox on a free loopback port with its own temporary folder (`files/` for the
/// test's inputs): what every test that talks to the sandbox starts from. Prefer
/// ``withSandbox(apiKey:storageDirectory:_:_:)``, which stops it when the test is done.
public final class SandboxFixture: Sendable {
    /// The running sandbox, on a free loopback port.
    public let server: SandboxServer
    /// The test's temporary folder; removed by `stop()`.
    public let directory: String

    /// Starts a sandbox that accepts `apiKey`.
    /// - Parameters:
    ///   - storageDirectory: where the sandbox keeps its bytes and state; a folder the
    ///     caller names outlives `stop()`, so a later sandbox can start on it. When `nil`,
    ///     `sandbox/` inside ``directory``.
    ///   - configure: changes the configuration (faults, rates) before the start.
    public init(
        apiKey: String, storageDirectory: String? = nil, _ configure: (inout SandboxConfiguration) -> Void = { _ in }
    ) async throws {
        directory = try TemporaryFolder.make()
        do {
            try FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
            var configuration = SandboxConfiguration(apiKey: apiKey, storageDirectory: storageDirectory ?? directory + "/sandbox")
            configuration.port = 0
            configure(&configuration)
            server = try await SandboxServer.start(configuration, logger: quietLogger("test.sandbox"))
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Writes `files/<name>`: `magic`, then random bytes up to `size` (for a `magic` that
    /// begins with `Magic.png`, the rest of it and the random bytes inside its one IDAT
    /// chunk, so that the file ends with IEND).
    public func makeFile(_ name: String, size: Int, magic: [UInt8] = Magic.png) -> String {
        let path = directory + "/files/" + name
        let random = FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: max(0, size - magic.count)) ?? Data()
        let png = magic.starts(with: Magic.png) && size >= magic.count + Magic.pngWrapping
        let contents =
            png
            ? Data(Magic.png(wrapping: magic.dropFirst(Magic.png.count) + [UInt8](random.prefix(size - magic.count - Magic.pngWrapping))))
            : (Data(magic) + random).prefix(size)
        _ = FileManager.default.createFile(atPath: path, contents: contents)
        return path
    }

    /// Writes `files/<name>` as a copy of the corpus file `corpusName`.
    public func makeFile(_ name: String, copying corpusName: String) throws -> String {
        let path = directory + "/files/" + name
        try FileManager.default.copyItem(atPath: MediaCorpus.path(corpusName), toPath: path)
        return path
    }

    /// Stops the server, waiting until it has, and removes ``directory``.
    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
