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

    /// The flag, else `MEDIAUP_BASE_URL`, else the config file, else 360dialog's host.
    var resolvedBaseURL: String {
        get throws {
            // Read even when a flag wins: a broken file is said at once, not on the day it is needed.
            let file = try config
            return baseURL ?? environment["MEDIAUP_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? file.values["base_url"] ?? APIEndpoint.defaultBaseURL
        }
    }

    /// The flag, else `D360_API_KEY`, else the config file; a key with a control
    /// character, from any of them, is bad configuration.
    var resolvedAPIKey: String? {
        get throws {
            let file = try config
            let key = apiKey ?? environment["D360_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? file.values["api_key"]
            if let key, let problem = APIEndpoint.keyProblem(key) { throw UsageError(problem) }
            return key
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
        do { _ = try APIEndpoint.withoutKey(baseURL: baseURL) } catch { throw UsageError(error.description) }
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
