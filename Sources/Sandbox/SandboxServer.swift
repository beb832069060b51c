import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UploadCore

/// A local HTTP server speaking 360dialog's Media Uploads API (resumable
/// `/uploads` + `/upload:<id>` sessions and plain `/media`), with injectable
/// faults: throttling, 503s, connection resets, stalls, 429s and expiry; and media after
/// the upload (`GET /<media id>`, its download URL, `DELETE /<media id>`).
///
/// ```swift
/// let server = try await SandboxServer.start(.init(apiKey: "k", storageDirectory: dir))
/// // … talk to server.baseURL …
/// await server.stop()
/// ```
public final class SandboxServer: Sendable {
    /// The bound port (the real one when 0 was asked for).
    public let port: Int
    /// The configured host.
    public let host: String
    private let state: SandboxState
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    /// `http://<host>:<port>`, an IPv6 host in brackets; a wildcard host (`0.0.0.0`, `::`)
    /// is given as `127.0.0.1`, where this machine reaches it.
    public var baseURL: String {
        let reachable = (host == "0.0.0.0" || host == "::" || host.isEmpty) ? "127.0.0.1" : host
        return Self.url(host: reachable, port: port)
    }

    /// The address it is bound to, as a URL: a wildcard host stays a wildcard.
    public var listenURL: String { Self.url(host: host.isEmpty ? "0.0.0.0" : host, port: port) }

    private static func url(host: String, port: Int) -> String {
        "http://\(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host):\(port)"
    }

    private init(port: Int, host: String, state: SandboxState, group: ServiceGroup, task: Task<Void, Never>) {
        self.port = port
        self.host = host
        self.state = state
        self.group = group
        self.task = task
    }

    /// Starts a sandbox and returns once it is listening.
    /// - Throws: when the storage directory cannot be created or the address cannot be bound.
    public static func start(
        _ configuration: SandboxConfiguration,
        logger: Logger = Logger(label: "mediaup.sandbox")
    ) async throws -> SandboxServer {
        do { try FilePaths.makeDirectories(configuration.storageDirectory) } catch {
            throw SandboxIOError.storage("cannot create the folder \(error.message)")
        }
        // Whatever an earlier sandbox left in this directory: secret, sessions, media.
        let store = SandboxStore(directory: configuration.storageDirectory, logger: logger)
        let state = SandboxState(configuration: configuration, store: store, loaded: try store.load())
        let handlers = SandboxHandlers(state: state, configuration: configuration, logger: logger)

        let router = Router(context: SandboxRequestContext.self)
        router.add(middleware: SandboxMiddleware(state: state, apiKey: configuration.apiKey, provider: configuration.provider, logger: logger))
        // Inside SandboxMiddleware, so odd answers are logged and recorded like any other.
        if !configuration.oddities.isEmpty {
            router.add(middleware: OddityMiddleware(configuration.oddities, state: state, logger: logger))
        }
        router.get("sandbox/stats") { _, _ in jsonResponse(.ok, await state.statistics()) }
        // Download URLs from media info, as on Meta's lookaside host (the router takes the
        // path with its trailing slash too).
        router.get("whatsapp_business/attachments") { request, _ in try await handlers.download(request) }
        // 360dialog's paths, or Meta's: the same calls under a version segment, sessions
        // made under an app id and media under a phone number id.
        let meta = configuration.provider == .meta
        let root = meta ? ":version/" : ""
        /// Meta's paths must name a version and ids of digits, as Graph checks them.
        @Sendable func checkGraphPath(_ context: SandboxRequestContext, owner: Bool) throws {
            guard meta else { return }
            let version = context.parameters.get("version") ?? ""
            let parts = version.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
            guard version.hasPrefix("v"), parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                throw APIError(
                    .badRequest, "Unknown path components: /\(version)", meta: APIError.Meta(type: "OAuthException", code: 2500, subcode: nil))
            }
            // The app or phone number id of `…/{id}/uploads` and `…/{id}/media`.
            let id = context.parameters.get("id") ?? ""
            if owner, id.isEmpty || !id.allSatisfy(\.isNumber) { throw APIError.noSuchObject(id) }
        }
        // Constant paths win over the one-component parameter route in Hummingbird's trie.
        router.post(RouterPath(root + (meta ? ":id/" : "") + "uploads")) { request, context in
            try checkGraphPath(context, owner: true)
            return try await handlers.createSession(request)
        }
        router.post(RouterPath(root + (meta ? ":id/" : "") + "media")) { request, context in
            try checkGraphPath(context, owner: true)
            return try await handlers.uploadMedia(request)
        }
        // One route for `upload:…` sessions and media ids (digits): told apart by shape.
        router.get(RouterPath(root + ":id")) { request, context in
            try checkGraphPath(context, owner: false)
            let component = context.parameters.get("id") ?? ""
            if SandboxHandlers.isMediaID(component) { return try await handlers.mediaInfo(request, id: component) }
            return try await handlers.sessionStatus(request, session: component)
        }
        router.delete(RouterPath(root + ":id")) { _, context in
            try checkGraphPath(context, owner: false)
            return try await handlers.deleteMedia(id: context.parameters.get("id") ?? "")
        }
        router.post(RouterPath(root + ":id")) { request, context in
            try checkGraphPath(context, owner: false)
            return try await handlers.upload(request, context: context, session: context.parameters.get("id") ?? "")
        }

        let (bound, boundContinuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "mediaup-sandbox"),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? configuration.port)
                boundContinuation.finish()
            },
            logger: logger
        )
        // Our own group (no signal handlers) so stop() can shut it down gracefully.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            do {
                try await group.run()
                boundContinuation.finish()
            } catch {
                boundContinuation.finish(throwing: error)
            }
            await state.closeAllFiles()
        }
        var iterator = bound.makeAsyncIterator()
        do {
            guard let port = try await iterator.next() else {
                throw SandboxStartError(message: "the server stopped before it was listening")
            }
            logger.info("sandbox listening", metadata: ["url": "\(Self.url(host: configuration.host, port: port))"])
            return SandboxServer(port: port, host: configuration.host, state: state, group: group, task: task)
        } catch {
            task.cancel()
            await task.value
            throw error
        }
    }

    /// Shuts the server down and waits until it has: stops accepting, lets requests
    /// in flight finish for up to `gracePeriod` seconds, then cancels what is left.
    public func stop(gracePeriod: Double = 2) async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let timeout = Task {
            try await Task.sleep(for: .seconds(gracePeriod))
            task.cancel()
        }
        await task.value
        timeout.cancel()
    }

    // MARK: Inspection and control for tests

    /// Every resumable session created so far, oldest first (expired ones included), also
    /// those an earlier sandbox on the same storage directory created. Complete sessions
    /// are hashed here, when first asked for, not while the client waits for its reply:
    /// a GiB's digest would otherwise make the sandbox slower than the clients it measures.
    public func sessions() async -> [SandboxSession] {
        for (token, path) in await state.completeSessionsWithoutDigest() {
            if let digest = try? SHA256Digest.ofFile(at: path) {
                await state.setDigest(token: token, sha256: digest)
            }
        }
        return await state.allSessions()
    }

    /// Every file received through `POST /media`, oldest first.
    public func mediaUploads() async -> [SandboxMedia] { await state.allMedia() }

    /// Makes every existing session answer as expired from now on (also after a restart
    /// on the same storage directory).
    public func expireAllSessions() async { await state.expireAll() }

    /// Every request answered so far, oldest first.
    public func requestLog() async -> [SandboxRequestRecord] { await state.requestLog() }

    /// Every `POST /upload:…` refused for a `file_offset` mismatch, in order.
    public func offsetRefusals() async -> [SandboxOffsetRefusal] { await state.offsetRefusals() }

    /// How many stall faults have fired so far.
    public func stallsFired() async -> Int { await state.stallCount() }
}

extension SandboxServer {
    /// The signature this server would give `token` (tests forge ids of unknown sessions with it).
    func signatureForTesting(_ token: String) -> String { state.signature(for: token) }
}
