import Foundation
import Logging
import Sandbox
import Testing
import Transport
@testable import UploadCore

/// A sandbox on a free loopback port, a temporary state directory and an uploader
/// over the real libcurl transport: everything a test needs, nothing mocked below HTTP.
final class TestBed: Sendable {
    static let key = "test-key-0123"
    let server: SandboxServer
    let directory: String
    let journal: Journal

    var stateDirectory: String { directory + "/state" }

    init(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mediaup-test-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
        var configuration = SandboxConfiguration(apiKey: Self.key, storageDirectory: directory + "/sandbox")
        configuration.port = 0
        configure(&configuration)
        server = try await SandboxServer.start(configuration, logger: Logger(label: "test.sandbox", factory: { _ in SwiftLogNoOpLogHandler() }))
        journal = try Journal(stateDirectory: directory + "/state")
    }

    func makeAPI(key: String = TestBed.key, stallTimeout: Double = 30) throws -> MediaAPI {
        MediaAPI(endpoint: try APIEndpoint(baseURL: server.baseURL, apiKey: key), transport: CurlTransport(),
                 limits: TransferLimits(connectTimeout: 5, stallTimeout: stallTimeout))
    }

    func makeUploader(key: String = TestBed.key, stallTimeout: Double = 30, retries: Int = 5, chunkSize: Int64? = nil, parallel: Int = 4) throws -> Uploader {
        let options = Uploader.Options(parallel: parallel, retry: RetryPolicy(maxRetries: retries, baseDelay: 0.1, maxDelay: 0.5), chunkSize: chunkSize)
        return Uploader(journal: journal, api: try makeAPI(key: key, stallTimeout: stallTimeout), stateDirectory: stateDirectory, options: options,
                        logger: Logger(label: "test.uploader", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Writes a file that starts with the magic bytes of `kind` and is `size` bytes long.
    func makeFile(_ name: String, size: Int, kind: Kind = .png) -> String {
        let path = directory + "/files/" + name
        let random = FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: max(0, size - kind.magic.count)) ?? Data()
        _ = FileManager.default.createFile(atPath: path, contents: (Data(kind.magic) + random).prefix(size))
        return path
    }

    enum Kind {
        case png, pdf, mp4, ogg
        var magic: [UInt8] {
            switch self {
            case .png: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            case .pdf: Array("%PDF-1.7\n".utf8)
            case .mp4: [0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 0, 0]
            case .ogg: Array("OggS".utf8)
            }
        }
    }

    func sha256(_ path: String) throws -> String { try SHA256Digest.ofFile(at: path) }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Waits, polling, until `condition` holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
