import ArgumentParser
import Foundation
import Logging
import Synchronization
import UploadCore

/// The options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: ArgumentHelp("API base URL (env MEDIAUP_BASE_URL).", valueName: "URL"))
    var baseURL: String?

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp("360dialog API key (env D360_API_KEY). Prefer the environment: flags show in `ps`.", valueName: "KEY"))
    var apiKey: String?

    @Option(help: ArgumentHelp("Whose API: 360dialog (default) or meta, Meta's Graph API (env MEDIAUP_PROVIDER).", valueName: "NAME"))
    var provider: String?

    @Option(
        help: ArgumentHelp(
            "Meta access token, with --provider meta (env WHATSAPP_TOKEN). Prefer the environment: flags show in `ps`.", valueName: "TOKEN"))
    var token: String?

    @Option(
        name: .customLong("graph-version"),
        help: ArgumentHelp(
            "Graph API version, with --provider meta (env MEDIAUP_GRAPH_VERSION; default \(GraphAccount.defaultVersion)).", valueName: "vN.N"))
    var graphVersion: String?

    @Option(
        name: .customLong("app-id"),
        help: ArgumentHelp("Meta app id for resumable uploads, with --provider meta (env MEDIAUP_APP_ID).", valueName: "ID"))
    var appID: String?

    @Option(
        name: .customLong("phone-number-id"),
        help: ArgumentHelp("Meta phone number id for /media, with --provider meta (env MEDIAUP_PHONE_NUMBER_ID).", valueName: "ID"))
    var phoneNumberID: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Where the journal and log live (env MEDIAUP_STATE_DIR; default $XDG_STATE_HOME/mediaup or ~/.local/state/mediaup).", valueName: "DIR"))
    var stateDirectory: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    func validate() throws {
        // An empty folder name would put the journal in the current folder.
        if stateDirectory?.isEmpty == true { throw ValidationError("--state-dir is empty: name a folder, or leave the option out") }
    }

    /// The config file's values; its warnings go to stderr once. A broken file, or a
    /// `MEDIAUP_CONFIG` that names no file, is bad configuration (exit 2).
    private var config: ConfigFile {
        get throws {
            let (path, mustExist) = ConfigFile.location(environment: environment)
            do {
                let file = try ConfigFile.load(path: path, mustExist: mustExist)
                ConfigWarnings.printOnce(file.warnings)
                return file
            } catch {
                throw UsageError(error.description)
            }
        }
    }

    /// A setting: the flag, else the environment variable (unless empty), else the config file's key.
    private func setting(_ flag: String?, _ variable: String, _ key: String) throws -> String? {
        // Read even when a flag wins: a broken file is said at once, not on the day it is needed.
        let file = try config
        return flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? file.values[key]
    }

    /// `--provider`, else `MEDIAUP_PROVIDER`, else the config file, else 360dialog.
    var resolvedProvider: APIProvider {
        get throws {
            guard let name = try setting(provider, "MEDIAUP_PROVIDER", "provider") else { return .dialog360 }
            guard let chosen = APIProvider(rawValue: name.lowercased()) else {
                throw UsageError("unknown provider \"\(TerminalText.escaped(name))\": 360dialog or meta")
            }
            return chosen
        }
    }

    /// The flag, else `MEDIAUP_BASE_URL`, else the config file, else the provider's host.
    var resolvedBaseURL: String {
        get throws {
            let provider = try resolvedProvider
            return try setting(baseURL, "MEDIAUP_BASE_URL", "base_url")
                ?? (provider == .meta ? APIEndpoint.defaultMetaBaseURL : APIEndpoint.defaultBaseURL)
        }
    }

    /// 360dialog's key (flag, `D360_API_KEY`, the file's `api_key`) or Meta's token (flag,
    /// `WHATSAPP_TOKEN`, the file's `token`); one with a control character, from any of
    /// them, is bad configuration.
    var resolvedAPIKey: String? {
        get throws {
            let meta = try resolvedProvider == .meta
            let key = meta ? try setting(token, "WHATSAPP_TOKEN", "token") : try setting(apiKey, "D360_API_KEY", "api_key")
            if let key, let problem = APIEndpoint.keyProblem(key) {
                throw UsageError(meta ? problem.replacingOccurrences(of: "the API key", with: "the access token") : problem)
            }
            return key
        }
    }

    /// Meta's version and ids, with `--provider meta`; nil for 360dialog.
    var resolvedGraphAccount: GraphAccount? {
        get throws {
            guard try resolvedProvider == .meta else { return nil }
            let version = try setting(graphVersion, "MEDIAUP_GRAPH_VERSION", "graph_version") ?? GraphAccount.defaultVersion
            let (app, phone) = (
                try setting(appID, "MEDIAUP_APP_ID", "app_id"), try setting(phoneNumberID, "MEDIAUP_PHONE_NUMBER_ID", "phone_number_id")
            )
            do { return try GraphAccount(version: version, appID: app, phoneNumberID: phone) } catch { throw UsageError(error.description) }
        }
    }

    var resolvedStateDirectory: String {
        if let stateDirectory { return FilePaths.absolute(stateDirectory) }
        if let fromEnvironment = environment["MEDIAUP_STATE_DIR"], !fromEnvironment.isEmpty { return FilePaths.absolute(fromEnvironment) }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return FilePaths.absolute(xdg) + "/mediaup" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/mediaup"
    }

    /// Reads and checks the configuration (the config file, the base URL, the key), as
    /// every command does, even one that needs neither host nor key: a broken setting is
    /// said at once, exit 2, not on the day a command needs it.
    func checkConfiguration() throws {
        let baseURL = try resolvedBaseURL
        _ = try resolvedAPIKey
        let graph = try resolvedGraphAccount
        do { _ = try APIEndpoint.withoutKey(baseURL: baseURL, graph: graph) } catch { throw UsageError(error.description) }
    }

    /// The validated endpoint, or exit code 2 with the reason.
    func endpoint() throws -> APIEndpoint {
        let (baseURL, apiKey, graph) = (try resolvedBaseURL, try resolvedAPIKey, try resolvedGraphAccount)
        do {
            if let graph { return try APIEndpoint(metaBaseURL: baseURL, token: apiKey, graph: graph) }
            return try APIEndpoint(baseURL: baseURL, apiKey: apiKey)
        } catch {
            throw UsageError(error.description)
        }
    }

    /// Opens the journal and the log in the state directory; tells the user if a
    /// corrupt journal was set aside.
    func openState(directory: String? = nil) throws -> (journal: Journal, logger: Logger) {
        try checkConfiguration()
        let directory = directory ?? resolvedStateDirectory
        let journal: Journal
        do { journal = try Journal(stateDirectory: directory) } catch {
            throw UsageError(error.description)
        }
        if let notice = journal.recoveryNotice {
            try? ConsoleWriter.standardError.displayLine("mediaup: warning: \(notice)")
        }
        startLogging(directory: directory)
        return (journal, Logger(label: "mediaup"))
    }
}

/// Whether logging was set up: swift-log takes one bootstrap per process.
private let loggingStarted = Mutex(false)

extension GlobalOptions {
    /// Sends logs to `DIR/mediaup.log` (never to the terminal, which may be the screen).
    /// Only the first call counts.
    func startLogging(directory: String) {
        let first = loggingStarted.withLock { started in
            defer { started = true }; return !started
        }
        guard first else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sink = FileLogHandler.Sink(path: directory + "/mediaup.log")
        let level = ProcessInfo.processInfo.environment["MEDIAUP_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink, level: level) }
    }
}
