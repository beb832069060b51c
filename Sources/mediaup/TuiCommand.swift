import ArgumentParser
import Foundation
import Logging
import Sandbox
import TerminalRuntime
import TerminalUI
import UploadCore

struct TuiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Opens the terminal UI: browse, pick files, watch, pause, resume and retry uploads (the default command)."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Flag(help: "Run the built-in sandbox in this process and upload to it (no account needed).")
    var sandbox = false

    @Option(
        name: .customLong("sandbox-rate"),
        help: ArgumentHelp("With --sandbox: how fast it reads each upload, so progress can be seen.", valueName: "BYTES_PER_S"))
    var sandboxRate = 2_000_000

    @Option(help: "The ffmpeg that f (fix) runs (default: MEDIAUP_FFMPEG, else ffmpeg on PATH).")
    var ffmpeg: String?

    @Argument(help: "The folder to open (default: the current one).")
    var directory: String?

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw UsageError("the terminal UI needs a terminal; from scripts use mediaup upload (see mediaup --help)")
        }
        if let problem = NcursesBackend.terminalProblem(term: ProcessInfo.processInfo.environment["TERM"]) { throw UsageError(problem) }
        let folder = FilePaths.absolute(directory ?? FileManager.default.currentDirectoryPath)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw UsageError("\(folder) is not a folder")
        }
        let endpoint: APIEndpoint
        let stateDirectory: String
        var server: SandboxServer?
        var notice: String?
        if sandbox {
            // Sandbox sessions live in a journal of their own: they mean nothing to the real host.
            let provider = try global.resolvedProvider
            stateDirectory = global.resolvedStateDirectory + (provider == .meta ? "/sandbox-meta" : "/sandbox")
            // Logging goes to the state directory's file before anything logs: stderr is the screen.
            global.startLogging(directory: stateDirectory)
            var configuration = SandboxConfiguration(apiKey: SandboxCommand.demoKey, storageDirectory: stateDirectory + "/server")
            configuration.port = 0
            configuration.bytesPerSecond = sandboxRate
            configuration.provider = provider
            do { server = try await SandboxServer.start(configuration, logger: Logger(label: "mediaup.sandbox")) } catch {
                throw UsageError("cannot start the sandbox: \(error)")
            }
            if let graph = try global.resolvedGraphAccount {
                let ids = try GraphAccount(
                    version: graph.version, appID: graph.appID ?? SandboxCommand.demoAppID,
                    phoneNumberID: graph.phoneNumberID ?? SandboxCommand.demoPhoneNumberID)
                endpoint = try APIEndpoint(metaBaseURL: server!.baseURL, token: SandboxCommand.demoKey, graph: ids)
            } else {
                endpoint = try APIEndpoint(baseURL: server!.baseURL, apiKey: SandboxCommand.demoKey)
            }
        } else {
            stateDirectory = global.resolvedStateDirectory
            if try global.resolvedAPIKey == nil {
                let baseURL = try global.resolvedBaseURL
                do { endpoint = try APIEndpoint.withoutKey(baseURL: baseURL, graph: try global.resolvedGraphAccount) } catch let error
                    as ConfigurationError
                {
                    throw UsageError(error.description)
                }
                notice =
                    try global.resolvedProvider == .meta
                    ? "no access token: set WHATSAPP_TOKEN (or --token) to upload, or try mediaup tui --sandbox --provider meta"
                    : "no API key: set D360_API_KEY (or --api-key) to upload, or try mediaup tui --sandbox"
            } else {
                endpoint = try global.endpoint()
            }
        }
        let (uploader, _) = try transfer.makeUploader(endpoint: endpoint, stateDirectory: stateDirectory, global: global)
        var state = AppState(
            directory: folder, hostLabel: endpoint.baseURL, isSandbox: sandbox, homeDirectory: NSHomeDirectory(),
            checksMedia: !transfer.skipMediaChecks)
        if let notice { _ = state.update(.notice(notice)) }
        let colors = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        NcursesBackend.installCrashHandlers()
        let ending = await TerminalApp(uploader: uploader, ffmpeg: ffmpeg).run(initial: state) { NcursesBackend(colors: colors) }
        if ending == .interrupted {
            try? ConsoleWriter.standardError.line("mediaup: stopped without waiting for the uploads to pause; the next start resumes them")
            throw ExitCode(130)
        }
        await server?.stop()
    }
}
