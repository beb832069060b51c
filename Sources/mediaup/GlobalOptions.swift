import ArgumentParser
import Foundation
import Logging
import Synchronization
import Transport
import UploadCore

/// The options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: ArgumentHelp("API base URL (env MEDIAUP_BASE_URL).", valueName: "URL"))
    var baseURL: String?

    @Option(name: .customLong("api-key"), help: ArgumentHelp("360dialog API key (env D360_API_KEY). Prefer the environment: flags show in `ps`.", valueName: "KEY"))
    var apiKey: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the journal and log live (env MEDIAUP_STATE_DIR; default $XDG_STATE_HOME/mediaup or ~/.local/state/mediaup).", valueName: "DIR"))
    var stateDirectory: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The config file's values; its warnings go to stderr once. A broken file is bad
    /// configuration (exit 2).
    private var config: ConfigFile {
        get throws {
            let path = ConfigFile.defaultPath(environment: environment)
            do {
                let file = try ConfigFile.load(path: path)
                ConfigWarnings.printOnce(file.warnings)
                return file
            } catch {
                throw UsageError(error.description)
            }
        }
    }

    /// The flag, else `MEDIAUP_BASE_URL`, else the config file, else 360dialog's host.
    var resolvedBaseURL: String {
        get throws {
            try baseURL ?? environment["MEDIAUP_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? config.values["base_url"] ?? APIEndpoint.defaultBaseURL
        }
    }

    /// The flag, else `D360_API_KEY`, else the config file.
    var resolvedAPIKey: String? {
        get throws {
            try apiKey ?? environment["D360_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? config.values["api_key"]
        }
    }

    var resolvedStateDirectory: String {
        if let stateDirectory { return FilePaths.absolute(stateDirectory) }
        if let fromEnvironment = environment["MEDIAUP_STATE_DIR"], !fromEnvironment.isEmpty { return FilePaths.absolute(fromEnvironment) }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return FilePaths.absolute(xdg) + "/mediaup" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/mediaup"
    }

    /// The validated endpoint, or exit code 2 with the reason.
    func endpoint() throws -> APIEndpoint {
        let (baseURL, apiKey) = (try resolvedBaseURL, try resolvedAPIKey)
        do { return try APIEndpoint(baseURL: baseURL, apiKey: apiKey) } catch {
            throw UsageError(error.description)
        }
    }

    /// Opens the journal and the log in the state directory; tells the user if a
    /// corrupt journal was set aside.
    func openState(directory: String? = nil) throws -> (journal: Journal, logger: Logger) {
        let directory = directory ?? resolvedStateDirectory
        let journal: Journal
        do { journal = try Journal(stateDirectory: directory) } catch {
            throw UsageError(error.description)
        }
        if let notice = journal.recoveryNotice {
            FileHandle.standardError.write(Data("mediaup: warning: \(notice)\n".utf8))
        }
        startLogging(directory: directory)
        return (journal, Logger(label: "mediaup"))
    }
}

/// Prints config-file warnings once per process, however often the file is read.
enum ConfigWarnings {
    private static let printed = Mutex(false)

    static func printOnce(_ warnings: [String]) {
        guard !warnings.isEmpty, printed.withLock({ done in defer { done = true }; return !done }) else { return }
        for warning in warnings { FileHandle.standardError.write(Data("mediaup: warning: \(warning)\n".utf8)) }
    }
}

/// Whether logging was set up: swift-log takes one bootstrap per process.
private let loggingStarted = Mutex(false)

extension GlobalOptions {
    /// Sends logs to `DIR/mediaup.log` (never to the terminal, which may be the screen).
    /// Only the first call counts.
    func startLogging(directory: String) {
        let first = loggingStarted.withLock { started in defer { started = true }; return !started }
        guard first else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sink = FileLogHandler.Sink(path: directory + "/mediaup.log")
        let level = ProcessInfo.processInfo.environment["MEDIAUP_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, level: level) }
    }
}

/// How the engine runs transfers, for every command that uploads.
struct TransferOptions: ParsableArguments {
    @Option(help: "Uploads running at once.")
    var parallel: Int = 4

    @Option(help: "Automatic retries per file before it fails.")
    var retries: Int = 5

    @Option(name: .customLong("stall-timeout"), help: ArgumentHelp("Seconds without progress before a transfer counts as stalled.", valueName: "SECONDS"))
    var stallTimeout: Double = 30

    @Option(name: .customLong("chunk-size"), help: ArgumentHelp("Bytes per request of a resumable session (default: the whole rest in one).", valueName: "BYTES"))
    var chunkSize: Int64?

    @Flag(help: "Also compute each file's SHA-256 (the sha256 field), beside the transfer: about a second of CPU per GB.")
    var sha256 = false

    @Flag(name: .customLong("ignore-size-limits"), help: ArgumentHelp("Send files over WhatsApp's size limits; only to a sandbox on this machine (benchmarks). The real API refuses such files."))
    var ignoreSizeLimits = false

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
        guard stallTimeout > 0 else { throw ValidationError("--stall-timeout must be more than 0 seconds") }
        if let chunkSize, chunkSize < 1 { throw ValidationError("--chunk-size must be at least 1 byte") }
    }

    /// An uploader over libcurl for this run, with the global options' endpoint and state.
    func makeUploader(global: GlobalOptions) throws -> (uploader: Uploader, journal: Journal) {
        try makeUploader(endpoint: global.endpoint(), stateDirectory: global.resolvedStateDirectory, global: global)
    }

    /// An uploader over libcurl to `endpoint`, journaling in `stateDirectory`.
    func makeUploader(endpoint: APIEndpoint, stateDirectory: String, global: GlobalOptions) throws -> (uploader: Uploader, journal: Journal) {
        if ignoreSizeLimits && !endpoint.isLoopback {
            throw UsageError("--ignore-size-limits is only for a sandbox on this machine: WhatsApp refuses files over its limits")
        }
        let (journal, logger) = try global.openState(directory: stateDirectory)
        let limits = TransferLimits(connectTimeout: 15, stallTimeout: stallTimeout)
        let api = MediaAPI(endpoint: endpoint, transport: CurlTransport(), limits: limits)
        let options = Uploader.Options(parallel: parallel, retry: RetryPolicy(maxRetries: retries), chunkSize: chunkSize,
                                       computesSHA256: sha256, enforcesSizeLimits: !ignoreSizeLimits)
        let uploader = Uploader(journal: journal, api: api, stateDirectory: stateDirectory, options: options, logger: logger)
        return (uploader, journal)
    }
}
