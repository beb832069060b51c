import Foundation
import Sandbox
import TestSupport
import Testing
import Transport

@testable import UploadCore

/// A sandbox, a temporary state directory and an uploader over the real libcurl
/// transport: everything an engine test needs, nothing mocked below HTTP.
final class TestBed: Sendable {
    static let key = "test-key-0123"
    /// The ids the bed's client names in Meta's paths.
    static let graph = try! GraphAccount(version: "v26.0", appID: "1000000000000001", phoneNumberID: "1000000000000002")
    let fixture: SandboxFixture
    let journal: Journal
    /// Whose API the sandbox speaks, and so the client's paths and auth.
    let provider: APIProvider

    var server: SandboxServer { fixture.server }
    var directory: String { fixture.directory }
    var stateDirectory: String { directory + "/state" }

    /// Prefer ``withTestBed(_:_:)``, which stops the bed when the test is done.
    init(provider: APIProvider = .dialog360, _ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws {
        let fixture = try await SandboxFixture(apiKey: Self.key) { configuration in
            configuration.provider = provider
            configure(&configuration)
        }
        self.provider = provider
        do {
            journal = try Journal(stateDirectory: fixture.directory + "/state")
        } catch {
            await fixture.stop()
            throw error
        }
        self.fixture = fixture
    }

    /// An API client for the sandbox, or for another server at `baseURL`.
    func makeAPI(key: String = TestBed.key, stallTimeout: Double = 30, baseURL: String? = nil) throws -> MediaAPI {
        MediaAPI(
            endpoint: provider == .meta
                ? try APIEndpoint(metaBaseURL: baseURL ?? server.baseURL, token: key, graph: Self.graph)
                : try APIEndpoint(baseURL: baseURL ?? server.baseURL, apiKey: key),
            transport: CurlTransport(), limits: TransferLimits(connectTimeout: 5, stallTimeout: stallTimeout))
    }

    func makeUploader(
        key: String = TestBed.key, stallTimeout: Double = 30, retries: Int = 5, chunkSize: Int64? = nil, parallel: Int = 4,
        computesSHA256: Bool = true, baseURL: String? = nil, retryDelay: Double = 0.1, checksMedia: Bool = true,
        reusesEarlierUploads: Bool = true
    ) throws -> Uploader {
        let options = Uploader.Options(
            parallel: parallel, retry: RetryPolicy(maxRetries: retries, baseDelay: retryDelay, maxDelay: max(0.5, retryDelay)),
            chunkSize: chunkSize, computesSHA256: computesSHA256, checksMedia: checksMedia, reusesEarlierUploads: reusesEarlierUploads)
        let api = try makeAPI(key: key, stallTimeout: stallTimeout, baseURL: baseURL)
        return Uploader(
            journal: journal, api: api, account: try ServerAccount(endpoint: api.endpoint, stateDirectory: stateDirectory),
            stateDirectory: stateDirectory,
            options: options, logger: quietLogger("test.uploader"))
    }

    func makeFile(_ name: String, size: Int, magic: [UInt8] = Magic.png) -> String {
        fixture.makeFile(name, size: size, magic: magic)
    }

    func makeFile(_ name: String, copying corpusName: String) throws -> String {
        try fixture.makeFile(name, copying: corpusName)
    }

    func sha256(_ path: String) throws -> String { try SHA256Digest.ofFile(at: path) }

    /// Stops the sandbox, waiting until it has, and removes the bed's folder.
    func stop() async { await fixture.stop() }

    /// Watches `uploader` from now on; the task's value says whether any row reached
    /// `state` before the task was cancelled.
    static func watch(_ uploader: Uploader, for state: UploadState) async -> Task<Bool, Never> {
        let events = await uploader.events()
        return Task {
            for await event in events { if case .updated(let snapshot) = event, snapshot.session.state == state { return true } }
            return false
        }
    }
}

/// Starts a ``TestBed`` (its sandbox changed by `configure`), runs `body` with it and
/// stops it before returning or rethrowing.
func withTestBed<T>(
    provider: APIProvider = .dialog360, _ configure: (inout SandboxConfiguration) -> Void = { _ in }, _ body: (TestBed) async throws -> T
) async throws -> T {
    try await withTeardown(of: try await TestBed(provider: provider, configure), { await $0.stop() }, body)
}
