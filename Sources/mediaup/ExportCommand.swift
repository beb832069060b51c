import ArgumentParser
import Foundation
import UploadCore

/// `mediaup export`: every finished upload, with its id or handle and when it expires.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Writes one record per finished upload: file, bytes, sha256, route, media id or handle, issued, expires, state.",
        discussion: """
            state is live, expired (a media id more than 30 days old) or deleted. A handle \
            has no expiry: Meta documents none. With -o the file is written whole or not at \
            all; otherwise the records go to stdout.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "csv (a header line, then one line per upload) or json (one object per line).")
    var format: MediaExport.Format = .csv

    @Option(name: [.short, .customLong("output")], help: "Write to this file instead of stdout.")
    var output: String?

    func run() async throws {
        let (journal, _) = try global.openState()
        let sessions: [UploadSession]
        do { sessions = try journal.allSessions() } catch { throw UsageError(error.description) }
        let text = MediaExport.text(of: sessions, format: format, now: Date())
        guard let output else {
            try ConsoleWriter.standardOutput.write(text)
            return
        }
        do { try AtomicFile.write(path: output, bytes: Array(text.utf8)) } catch {
            try? ConsoleWriter.standardError.displayLine("mediaup: \(error.message)")
            throw ExitCode(1)
        }
        let count = sessions.filter { $0.state == .done }.count
        try ConsoleWriter.standardError.displayLine("mediaup: \(count) upload\(count == 1 ? "" : "s") written to \(output)")
    }
}

extension MediaExport.Format: ExpressibleByArgument {}
