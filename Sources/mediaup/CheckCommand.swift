import ArgumentParser
import Foundation
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
        MediaCheck.checkAll(paths.flatMap(Self.files), route: via) { checks in
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

    /// The path itself, or a folder's entries that are not folders, by name.
    private static func files(in path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
            let names = try? FileManager.default.contentsOfDirectory(atPath: path)
        else { return [path] }
        return names.sorted().map { (path as NSString).appendingPathComponent($0) }.filter { child in
            var childIsFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: child, isDirectory: &childIsFolder) && !childIsFolder.boolValue
        }
    }
}
