import ArgumentParser
import Foundation
import TerminalRuntime
import UploadCore

/// `mediaup fix`: converts each file WhatsApp would refuse or warn about, with one ffmpeg
/// run, into a new file beside it.
struct FixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract: "Converts each file WhatsApp would refuse or warn about into NAME.whatsapp.EXT beside it, with one ffmpeg run.",
        discussion: """
            The conversion is the one `mediaup check` shows. It is written to a hidden \
            .NAME.whatsapp.EXT.TOKEN.partial of its own, judged again, then named NAME.whatsapp.EXT (or \
            NAME.whatsapp-2.EXT… when that name is taken: nothing is overwritten). The \
            original is only read. Files are converted one at a time. ffmpeg: --ffmpeg, \
            else MEDIAUP_FFMPEG, else ffmpeg on PATH. Exit 0 when every file was fixed or \
            needed nothing, 1 when any could not be fixed, 2 on bad usage or no ffmpeg, 130 \
            when interrupted.
            """
    )

    @Flag(help: "One JSON object per line per file; nothing else on stdout.")
    var json = false

    @Option(help: "The route to judge for: resumable (PDF, JPEG, PNG, MP4 only) or media.")
    var via: UploadRoute = .resumable

    @Option(help: "The ffmpeg to run (default: MEDIAUP_FFMPEG, else ffmpeg on PATH).")
    var ffmpeg: String?

    @Argument(help: "Files to fix.")
    var files: [String] = []

    func run() async throws {
        guard !files.isEmpty else { throw UsageError("name at least one file to fix") }
        let executable: String
        switch FFmpegLocator.locate(explicit: ffmpeg, environment: ProcessInfo.processInfo.environment) {
        case .success(let found): executable = found
        case .failure(let missing): throw UsageError(missing.message)
        }
        let (files, route, json) = (files, via, json)
        let work = Task {
            var anyFailed = false
            for file in files {
                let outcome =
                    RawArguments.notUTF8.contains(file)
                    ? MediaFixOutcome.failed("the name is not valid UTF-8, so mediaup cannot name that exact file; rename it")
                    : await MediaFixer.fix(path: file, route: route, ffmpeg: executable)
                if case .cancelled = outcome { return Int32(130) }
                if case .noConversion = outcome { anyFailed = true }
                if case .failed = outcome { anyFailed = true }
                if json {
                    try ConsoleWriter.standardOutput.line(Self.jsonLine(file, outcome))
                } else {
                    try ConsoleWriter.standardOutput.displayLine(outcome.textLine(file: file))
                }
            }
            return anyFailed ? 1 : 0
        }
        // A signal stops the ffmpeg run under way, which leaves nothing behind.
        let interrupt = SignalForwarder { work.cancel() }
        let code = try await work.value
        withExtendedLifetime(interrupt) {}
        if code == 130 { try? ConsoleWriter.standardError.line("mediaup: interrupted; the file being converted was left as it was") }
        if code != 0 { throw ExitCode(code) }
    }

    static func jsonLine(_ file: String, _ outcome: MediaFixOutcome) -> String {
        var result = "cannot_fix"
        var output: String?
        var after: MediaCheck?
        var error: String?
        switch outcome {
        case .fixed(let path, let check): (result, output, after) = ("fixed", path, check)
        case .nothingToFix(let check): (result, after) = ("nothing_to_fix", check)
        case .noConversion(let reason): error = reason + "; " + MediaFixPlan.noConversionText
        case .failed(let message): error = message
        case .cancelled: result = "cancelled"
        }
        return JSONLine.object([
            "file": .string(file),
            "result": .string(result),
            "output": .string(output),
            "status": .string(after?.status.rawValue),
            "warned": .strings(after?.findings.filter { $0.severity == .warned }.map(\.reason) ?? []),
            "error": .string(error),
        ])
    }
}
