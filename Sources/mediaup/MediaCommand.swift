import ArgumentParser
import Foundation
import Logging
import Synchronization
import TerminalRuntime
import Transport
import UploadCore

/// `mediaup media info|download|delete`: what happens to media after the upload, by the
/// media id `upload --via media` printed. Ids that are not digits are bad usage (exit 2),
/// refused before any request; each id that fails names itself and the server's words
/// (exit 1).
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Media after the upload, by media id: its info, a download checked against its SHA-256, or deleting it.",
        subcommands: [MediaInfoCommand.self, MediaDownloadCommand.self, MediaDeleteCommand.self]
    )

    /// A client over libcurl for the global options' server and key, logging to the state
    /// directory's log as every command does.
    static func api(_ global: GlobalOptions) throws -> MediaAPI {
        let endpoint = try global.endpoint()
        global.startLogging(directory: global.resolvedStateDirectory)
        return MediaAPI(endpoint: endpoint, transport: CurlTransport(), logger: Logger(label: "mediaup.api"))
    }

    /// A control that Ctrl-C (SIGTERM, SIGHUP, SIGQUIT) cancels, the flag that says it
    /// did, and the forwarder to keep alive while the calls run.
    static func interruptible() -> (control: TransferControl, interrupted: InterruptFlag, signals: SignalForwarder) {
        let control = TransferControl()
        let interrupted = InterruptFlag()
        let signals = SignalForwarder {
            interrupted.set()
            control.cancel()
        }
        return (control, interrupted, signals)
    }

    /// Refuses, as bad usage, no id or one that cannot be a media id.
    static func validate(_ ids: [String]) throws {
        guard !ids.isEmpty else { throw ValidationError("name at least one media id") }
        for id in ids where !RemoteMedia.isPlausibleID(id) {
            throw ValidationError("\(TerminalText.escaped(id)) is not a media id: media ids are digits (up to 24)")
        }
    }

    /// A failure in words that name the id and carry the server's message.
    static func problem(_ id: String, _ failure: APIFailure) -> String {
        switch failure {
        case .noSuchMedia(_, let answer): "\(failure.description) (\(answer.description))"
        default: "\(id): \(failure.description)"
        }
    }
}

struct MediaInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Asks the server about media ids: type, size, SHA-256, and a download URL that works for 5 minutes.",
        discussion: "One line (or JSON object) per id. Exit 0 when every id was found, 1 when any was not, 2 on bad usage."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object per line per id; nothing else on stdout.")
    var json = false

    @Argument(help: "Media ids (digits), as `upload --via media` printed them.")
    var ids: [String] = []

    func validate() throws { try MediaCommand.validate(ids) }

    func run() async throws {
        let api = try MediaCommand.api(global)
        let (control, interrupted, signals) = MediaCommand.interruptible()
        defer { withExtendedLifetime(signals) {} }
        var anyFailed = false
        for id in ids {
            let info: RemoteMedia
            do throws(APIFailure) {
                info = try await api.mediaInfo(id: id, control: control)
            } catch {
                if interrupted.isSet {
                    try? ConsoleWriter.standardError.displayLine("mediaup: interrupted")
                    throw ExitCode(130)
                }
                anyFailed = true
                if json {
                    try ConsoleWriter.standardOutput.line(Self.jsonLine(id: id, info: nil, error: MediaCommand.problem(id, error)))
                } else {
                    try ConsoleWriter.standardError.displayLine("mediaup: \(MediaCommand.problem(id, error))")
                }
                continue
            }
            if json {
                try ConsoleWriter.standardOutput.line(Self.jsonLine(id: id, info: info, error: nil))
            } else {
                try ConsoleWriter.standardOutput.displayLine(Self.textLine(info))
            }
        }
        if anyFailed { throw ExitCode(1) }
    }

    /// `ID  MIME  SIZE (N bytes)  sha256 HEX  url valid until HH:MM:SS UTC (5 minutes)`.
    static func textLine(_ info: RemoteMedia) -> String {
        let until = info.urlExpiresAt.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).time(includingFractionalSeconds: false))
        return
            "\(info.id)  \(info.mimeType)  \(ByteFormat.string(info.fileSize)) (\(info.fileSize) bytes)  sha256 \(info.sha256)  url valid until \(until) UTC (5 minutes; download with: mediaup media download \(info.id))"
    }

    static func jsonLine(id: String, info: RemoteMedia?, error: String?) -> String {
        JSONLine.object([
            "id": .string(info?.id ?? id),
            "mime_type": .string(info?.mimeType),
            "bytes": .number(info?.fileSize),
            "sha256": .string(info?.sha256),
            "url": .string(info?.url),
            "url_expires_at": .string(info?.urlExpiresAt.formatted(.iso8601)),
            "error": .string(error),
        ])
    }
}

struct MediaDownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Downloads a media id, checking its SHA-256 and size while it is written.",
        discussion: """
            The bytes go to a hidden temporary file beside PATH, which takes the name only when \
            complete and matching the server's SHA-256; a failure or Ctrl-C removes it. An \
            existing file is never overwritten without --force. With -o -, the bytes go to \
            standard output as they arrive (a mismatch is then said, exit 1, after them). Exit \
            0 when the download is complete and verified, 1 when not, 2 on bad usage, 130 on Ctrl-C.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("Where to write it: a file, a folder, or - for standard output (default: ./ID.EXT, EXT from the type).", valueName: "PATH")
    )
    var output: String?

    @Flag(help: "Replace a file that already has that name.")
    var force = false

    @Argument(help: "A media id (digits).")
    var id: String

    func validate() throws {
        try MediaCommand.validate([id])
        if output?.isEmpty == true { throw ValidationError("-o needs a path, or - for standard output") }
    }

    func run() async throws {
        let api = try MediaCommand.api(global)
        let destination: MediaDestination
        var isFolder: ObjCBool = false
        switch output {
        case "-": destination = .descriptor(STDOUT_FILENO, label: "standard output")
        case nil: destination = .folder(".", overwrite: force)
        case let path? where FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue:
            destination = .folder(path, overwrite: force)
        case let path?: destination = .file(path, overwrite: force)
        }
        // Ctrl-C (SIGTERM, SIGHUP, SIGQUIT) cancels the transfer; the temporary goes with it.
        let (control, interrupted, signals) = MediaCommand.interruptible()
        let live = isatty(STDERR_FILENO) == 1
        let meter = LiveLine(enabled: live)
        let result: DownloadedMedia
        do throws(APIFailure) {
            result = try await api.downloadMedia(id: id, to: destination, control: control) { written, total in
                meter.show(
                    "\(id): \(total > 0 ? Int(Double(written) * 100 / Double(total)) : 0)%  \(ByteFormat.string(written))/\(ByteFormat.string(total))"
                )
            }
        } catch {
            meter.clear()
            withExtendedLifetime(signals) {}
            if interrupted.isSet {
                try? ConsoleWriter.standardError.displayLine("mediaup: \(id): interrupted; nothing was kept")
                throw ExitCode(130)
            }
            var words = MediaCommand.problem(id, error)
            if case .refused(let why) = error, why.hasSuffix("not overwritten") { words += "; --force replaces it" }
            try ConsoleWriter.standardError.displayLine("mediaup: \(words)")
            throw ExitCode(1)
        }
        meter.clear()
        withExtendedLifetime(signals) {}
        let line = "\(id) → \(result.location): \(ByteFormat.string(result.bytes)) (\(result.bytes) bytes), sha256 \(result.sha256) verified"
        // With -o -, standard output carries the bytes themselves.
        try (output == "-" ? ConsoleWriter.standardError : ConsoleWriter.standardOutput).displayLine(line)
    }
}

struct MediaDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Deletes media ids on the server; the ids stop working for messages.",
        discussion: "One line per id. Exit 0 when every id was deleted, 1 when any was not (unknown, expired or already deleted), 2 on bad usage."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object per line per id; nothing else on stdout.")
    var json = false

    @Argument(help: "Media ids (digits).")
    var ids: [String] = []

    func validate() throws { try MediaCommand.validate(ids) }

    func run() async throws {
        let api = try MediaCommand.api(global)
        let (journal, _) = try global.openState()
        let (control, interrupted, signals) = MediaCommand.interruptible()
        defer { withExtendedLifetime(signals) {} }
        var anyFailed = false
        for id in ids {
            do throws(APIFailure) {
                try await api.deleteMedia(id: id, control: control)
            } catch {
                if interrupted.isSet {
                    try? ConsoleWriter.standardError.displayLine(
                        "mediaup: interrupted; \(id) may or may not be deleted: `mediaup media info \(id)` tells")
                    throw ExitCode(130)
                }
                anyFailed = true
                let problem = MediaCommand.problem(id, error)
                if json {
                    try ConsoleWriter.standardOutput.line(JSONLine.object(["id": .string(id), "deleted": .bool(false), "error": .string(problem)]))
                } else {
                    try ConsoleWriter.standardError.displayLine("mediaup: \(problem)")
                }
                continue
            }
            // The rows that had the id say deleted from now on: it is not reused, refreshed
            // or exported as live. The server's deletion stands even if this write fails.
            do { try journal.markDeleted(mediaID: id) } catch {
                try? ConsoleWriter.standardError.displayLine("mediaup: warning: \(id) was deleted, but \(error.description)")
            }
            if json {
                try ConsoleWriter.standardOutput.line(JSONLine.object(["id": .string(id), "deleted": .bool(true), "error": .string(nil)]))
            } else {
                try ConsoleWriter.standardOutput.displayLine("deleted \(id)")
            }
        }
        if anyFailed { throw ExitCode(1) }
    }
}

/// Set from a signal handler, read once the download returns.
final class InterruptFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}

/// One line on a terminal's stderr, redrawn in place at most a few times a second.
private final class LiveLine: Sendable {
    private let enabled: Bool
    private let last = Mutex<Double>(0)

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        let due = last.withLock { last in
            defer { if now - last >= 0.2 { last = now } }
            return now - last >= 0.2
        }
        if due { try? ConsoleWriter.standardError.write("\r\u{1B}[K" + TerminalText.escaped(text)) }
    }

    func clear() {
        if enabled { try? ConsoleWriter.standardError.write("\r\u{1B}[K") }
    }
}
