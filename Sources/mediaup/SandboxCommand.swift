import ArgumentParser
import Foundation
import Sandbox
import TerminalRuntime
import UploadCore

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Runs a local server that speaks the same API, with fault injection, until Ctrl-C."
    )

    /// The key the sandbox takes when none is given: a public demo value, not a secret.
    static let demoKey = "sandbox"
    /// The ids a screen's own Meta sandbox is reached with when none are given (any
    /// digits do: the sandbox keeps no apps or numbers).
    static let demoAppID = "1000000000000001"
    static let demoPhoneNumberID = "1000000000000002"

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8360

    @Option(help: ArgumentHelp("Read request bodies at most this fast, per request.", valueName: "BYTES_PER_S"))
    var rate: Int?

    @Option(name: .customLong("fail-rate"), help: ArgumentHelp("Answer this fraction (0–1) of upload requests with 503.", valueName: "P"))
    var failRate: Double = 0

    @Option(
        name: .customLong("reset-at"), help: ArgumentHelp("Cut the connection when a session reaches these byte offsets.", valueName: "OFFSET,..."))
    var resetAt: String?

    @Option(
        name: .customLong("stall-at"),
        help: ArgumentHelp("Stop reading for --stall-seconds when a session reaches these offsets.", valueName: "OFFSET,..."))
    var stallAt: String?

    @Option(name: .customLong("stall-seconds"), help: ArgumentHelp("How long each stall lasts.", valueName: "S"))
    var stallSeconds: Double = 0

    @Flag(
        name: .customLong("discard-bytes"),
        help: "Count upload bytes but do not store them (benchmarks: one copy per byte instead of two); sessions do not survive a restart.")
    var discardBytes = false

    @Option(
        name: .customLong("media-ttl"),
        help: ArgumentHelp("Seconds after its upload at which a media id expires (Meta: 30 days).", valueName: "SECONDS"))
    var mediaTTL: Double = 30 * 86_400

    @Option(
        name: .customLong("media-url-ttl"),
        help: ArgumentHelp("Seconds a download URL from media info stays valid (Meta: 5 minutes).", valueName: "SECONDS"))
    var mediaURLTTL: Double = 300

    @Flag(name: .customLong("misreport-media-sha256"), help: "Fault: media info answers a wrong sha256.")
    var misreportMediaSHA256 = false

    @Flag(name: .customLong("misreport-media-size"), help: "Fault: media info answers a file_size one byte too large.")
    var misreportMediaSize = false

    @Option(
        name: .customLong("block-media-lookups-after"),
        help: ArgumentHelp("Answer media lookups 429 (blocked) after this many errors, as 360dialog does after 20 in an hour.", valueName: "N"))
    var blockMediaLookupsAfter: Int?

    @Option(name: .customLong("storage-dir"), help: ArgumentHelp("Where received files go (default: STATE_DIR/sandbox).", valueName: "DIR"))
    var storageDirectory: String?

    func validate() throws {
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let rate, rate < 1 { throw ValidationError("--rate must be at least 1 byte per second") }
        guard failRate.isFinite, stallSeconds.isFinite else { throw ValidationError("--fail-rate and --stall-seconds take finite numbers") }
        if stallAt != nil && stallSeconds <= 0 { throw ValidationError("--stall-at needs --stall-seconds") }
        if storageDirectory?.isEmpty == true {
            throw ValidationError("--storage-dir needs a folder: an empty path would put the sandbox's secret in the current one")
        }
        _ = try Self.offsets(resetAt, option: "--reset-at")
        _ = try Self.offsets(stallAt, option: "--stall-at")
        guard mediaTTL.isFinite, mediaTTL > 0 else { throw ValidationError("--media-ttl takes a positive number of seconds") }
        guard mediaURLTTL.isFinite, mediaURLTTL > 0 else { throw ValidationError("--media-url-ttl takes a positive number of seconds") }
        if let blockMediaLookupsAfter, blockMediaLookupsAfter < 1 { throw ValidationError("--block-media-lookups-after must be at least 1") }
    }

    static func offsets(_ text: String?, option: String) throws -> [Int64] {
        guard let text else { return [] }
        return try text.split(separator: ",").map { part in
            guard let value = Int64(part.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw ValidationError("\(option) takes byte offsets separated by commas, e.g. 1048576,5242880")
            }
            return value
        }
    }

    func run() async throws {
        let key = try global.resolvedAPIKey ?? Self.demoKey
        if key == Self.demoKey && !APIEndpoint.isLoopbackHost(host) {
            throw UsageError(
                "--host \(host) lets other machines in, and the default key \(Self.demoKey) is public: pass --api-key (or set D360_API_KEY) with a key of your own"
            )
        }
        let storage = storageDirectory.map(FilePaths.absolute) ?? global.resolvedStateDirectory + "/sandbox"
        let provider = try global.resolvedProvider
        var configuration = SandboxConfiguration(apiKey: key, storageDirectory: storage)
        configuration.provider = provider
        configuration.host = host
        configuration.port = port
        configuration.bytesPerSecond = rate
        configuration.keepsBytes = !discardBytes
        configuration.failRate = failRate
        configuration.resetAtOffsets = try Self.offsets(resetAt, option: "--reset-at")
        configuration.stallAtOffsets = try Self.offsets(stallAt, option: "--stall-at")
        configuration.stallSeconds = stallSeconds
        configuration.mediaLifetime = mediaTTL
        configuration.mediaURLLifetime = mediaURLTTL
        configuration.misreportsMediaSHA256 = misreportMediaSHA256
        configuration.misreportsMediaSize = misreportMediaSize
        configuration.mediaLookupBlockAfterErrors = blockMediaLookupsAfter
        let server: SandboxServer
        do { server = try await SandboxServer.start(configuration) } catch {
            throw UsageError("cannot start the sandbox on \(host):\(port): \(error)")
        }
        let keyNote =
            (provider == .meta ? "as Meta's Graph API, token: " : "API key: ") + (key == Self.demoKey ? Self.demoKey : "the one you gave")
        let listening =
            server.listenURL == server.baseURL ? server.baseURL : "\(server.listenURL), every interface (from this machine: \(server.baseURL))"
        printFlushed("mediaup sandbox listening on \(listening) (\(keyNote)); files go to \(storage)")
        let shownKey = key == Self.demoKey ? Self.demoKey : "…"
        printFlushed(
            provider == .meta
                ? "try: MEDIAUP_PROVIDER=meta MEDIAUP_BASE_URL=\(server.baseURL) WHATSAPP_TOKEN=\(shownKey) mediaup upload --app-id \(Self.demoAppID) FILE"
                : "try: MEDIAUP_BASE_URL=\(server.baseURL) D360_API_KEY=\(shownKey) mediaup upload FILE")
        let stop = AsyncStream<Void> { continuation in
            let handler = SignalForwarder { continuation.finish() }
            continuation.onTermination = { _ in withExtendedLifetime(handler) {} }
        }
        for await _ in stop {}
        await server.stop()
    }
}

/// Writes a line to stdout at once (a pipe reader, a test, sees it before we block).
func printFlushed(_ line: String) {
    // The sandbox serves on without its banner; the writer remembers the failure.
    try? ConsoleWriter.standardOutput.line(line)
}
