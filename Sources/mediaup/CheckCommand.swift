import ArgumentParser
import Foundation
import TerminalRuntime
import UploadCore

/// `mediaup check`: whether WhatsApp will deliver each file, from its type, size and what
/// is inside, without sending anything.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Says whether WhatsApp will deliver each file: its type and size for the route, then its codecs, tracks and bit depth.",
        discussion: """
            One line per file: ok, warn (delivered, with a caveat) or refused, the kind, the facts \
            read, the reasons and an ffmpeg command that fixes them. A folder stands for the files \
            in it (not its subfolders). Nothing is uploaded. Exit 0 when nothing is refused, 1 \
            otherwise, 2 on bad usage. Files are read on every core; the lines keep the order \
            of the files.
            """
    )

    @Flag(help: "One JSON object per line per file; nothing else on stdout.")
    var json = false

    @Option(help: "The route to judge the type for: resumable (PDF, JPEG, PNG, MP4 only) or media.")
    var via: UploadRoute = .resumable

    @Argument(help: "Files or folders to check.")
    var paths: [String] = []

    func run() throws {
        guard !paths.isEmpty else { throw UsageError("name at least one file or folder to check") }
        var anyRefused = false
        var writeError: (any Error)?
        var subjects: [MediaCheck.Subject] = []
        for path in paths {
            let found = Self.subjects(for: path)
            if found.isEmpty { try ConsoleWriter.standardError.displayLine("mediaup: no files in \(path)") }
            subjects += found
        }
        MediaCheck.checkAll(subjects, route: via) { checks in
            for check in checks {
                anyRefused = anyRefused || check.status == .refused
                do {
                    if json {
                        try ConsoleWriter.standardOutput.line(check.jsonLine)
                    } else {
                        try ConsoleWriter.standardOutput.displayLine(check.textLine)
                    }
                } catch {
                    writeError = error
                    return false
                }
            }
            return true
        }
        if let writeError { throw writeError }
        if anyRefused { throw ExitCode(1) }
    }

    /// What `path` stands for: itself, or a folder's entries that are not folders, by
    /// name, hidden ones too, as the screen lists them. A folder that cannot be listed,
    /// and a name that cannot be opened as given (not UTF-8), are refused with the reason.
    static func subjects(for path: String) -> [MediaCheck.Subject] {
        if RawArguments.notUTF8.contains(path) {
            return [.refused(path, reason: "the name is not valid UTF-8, so mediaup cannot name that exact file; rename it")]
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [.file(path)] }
        let listing = DirectoryLoader.list(path, showHidden: true)
        if let error = listing.error { return [.refused(path, reason: error)] }
        return listing.entries.filter { !$0.isDirectory }.map { entry in
            entry.problem.map { .refused(entry.path, reason: $0) } ?? .file(entry.path)
        }
    }
}
