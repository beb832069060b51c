import ArgumentParser
import Transport
import UploadCore

/// How the engine runs transfers, for every command that uploads.
struct TransferOptions: ParsableArguments {
    // The numbers are read `.unconditional`: otherwise `--retries -1` takes "-1" for an
    // option and says the value is missing, not that it may not be negative.
    @Option(parsing: .unconditional, help: "Uploads running at once.")
    var parallel: Int = 4

    @Option(parsing: .unconditional, help: "Automatic retries per file before it fails.")
    var retries: Int = 5

    @Option(
        name: .customLong("stall-timeout"), parsing: .unconditional,
        help: ArgumentHelp("Seconds without progress before a transfer counts as stalled.", valueName: "SECONDS"))
    var stallTimeout: Double = 30

    @Option(
        name: .customLong("chunk-size"), parsing: .unconditional,
        help: ArgumentHelp("Bytes per request of a resumable session (default: the whole rest in one).", valueName: "BYTES"))
    var chunkSize: Int64?

    @Flag(help: "Also report each file's SHA-256 (the sha256 field), of the bytes as they are sent: about a second of CPU per GB.")
    var sha256 = false

    @Flag(
        help:
            "After each /media upload, ask the server for the media id's SHA-256 and size and fail the file when they are not the file's. A resumable handle has no such lookup."
    )
    var verify = false

    @Flag(
        name: .customLong("ignore-size-limits"),
        help: ArgumentHelp("Send files over WhatsApp's size limits; only to a sandbox on this machine (benchmarks). The real API refuses such files.")
    )
    var ignoreSizeLimits = false

    @Flag(
        name: .customLong("skip-media-checks"),
        help:
            "Send files even when what is inside (codecs, tracks, bit depth, sticker size) would not be delivered; the type and size rules still apply."
    )
    var skipMediaChecks = false

    /// The shortest `--stall-timeout`, in seconds.
    static let shortestStallTimeout: Double = 1

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
        guard stallTimeout.isFinite, stallTimeout >= Self.shortestStallTimeout else {
            throw ValidationError("--stall-timeout must be a number of seconds, at least 1: a shorter one takes a slow moment for a stall")
        }
        if let chunkSize, chunkSize < 1 { throw ValidationError("--chunk-size must be at least 1 byte") }
    }

    /// An uploader over libcurl for this run, with the global options' endpoint and state.
    func makeUploader(global: GlobalOptions, reusesEarlierUploads: Bool = true) throws -> (uploader: Uploader, journal: Journal) {
        try makeUploader(
            endpoint: global.endpoint(), stateDirectory: global.resolvedStateDirectory, global: global, reusesEarlierUploads: reusesEarlierUploads)
    }

    /// `--parallel`, lowered (saying so on stderr) to what the open-file limit leaves
    /// room for: past it, transfers would fail as "too many open files".
    private func fittingParallel() throws -> Int {
        guard let limit = Uploader.Options.openFileLimit else { return parallel }
        guard limit >= Uploader.Options.smallestOpenFileLimit else {
            throw UsageError(
                "this process may open only \(limit) files at once (ulimit -n); mediaup needs at least \(Uploader.Options.smallestOpenFileLimit)")
        }
        let fitting = Uploader.Options.parallel(parallel, fittingOpenFileLimit: limit)
        if fitting < parallel {
            // A lost notice is remembered by the writer: the exit code says so.
            try? ConsoleWriter.standardError.line(
                "mediaup: --parallel \(parallel) lowered to \(fitting): this process may open \(limit) files at once (ulimit -n), and each upload needs several"
            )
        }
        return fitting
    }

    /// An uploader over libcurl to `endpoint`, journaling in `stateDirectory`.
    func makeUploader(
        endpoint: APIEndpoint, stateDirectory: String, global: GlobalOptions, reusesEarlierUploads: Bool = true
    ) throws -> (uploader: Uploader, journal: Journal) {
        if ignoreSizeLimits && !endpoint.isLoopback {
            throw UsageError("--ignore-size-limits is only for a sandbox on this machine: WhatsApp refuses files over its limits")
        }
        let (journal, logger) = try global.openState(directory: stateDirectory)
        let account: ServerAccount
        do { account = try ServerAccount(endpoint: endpoint, stateDirectory: stateDirectory) } catch { throw UsageError(error.description) }
        let limits = TransferLimits(connectTimeout: 15, stallTimeout: stallTimeout)
        let api = MediaAPI(endpoint: endpoint, transport: CurlTransport(), limits: limits)
        let options = Uploader.Options(
            parallel: try fittingParallel(), retry: RetryPolicy(maxRetries: retries), chunkSize: chunkSize,
            computesSHA256: sha256, enforcesSizeLimits: !ignoreSizeLimits, checksMedia: !skipMediaChecks,
            reusesEarlierUploads: reusesEarlierUploads, verifiesMedia: verify)
        let uploader = Uploader(journal: journal, api: api, account: account, stateDirectory: stateDirectory, options: options, logger: logger)
        return (uploader, journal)
    }
}
