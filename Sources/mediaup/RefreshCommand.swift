import ArgumentParser
import Foundation
import UploadCore

/// `mediaup refresh`: uploads again, for a new media id, the files whose id is about to expire.
struct RefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Uploads again every file whose media id expires within DAYS (default 7) and whose file is unchanged.",
        discussion: """
            A media id lasts 30 days after its upload. The new id replaces the old one in \
            the session's row; the old one is kept in its history (`sessions --json`, \
            earlier_ids). A file changed or gone since its upload is not refreshed: its id \
            names other bytes. Only uploads of this server and account are refreshed; \
            handles have no documented lifetime and are left alone. Exit 0 when every \
            refresh succeeded or none was due, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Flag(help: "One JSON object per line per file as it ends; nothing else on stdout.")
    var json = false

    @Option(parsing: .unconditional, help: "Refresh the ids that expire within this many days (expired ones included).")
    var within: Double = 7

    func validate() throws {
        guard within >= 0, within <= 30 else { throw ValidationError("--within takes 0 to 30 days: a media id lasts 30") }
    }

    func run() async throws {
        let (uploader, _) = try transfer.makeUploader(global: global)
        let known = try await uploader.loadJournal()
        let deadline = Date().addingTimeInterval(within * 86_400)
        let due = known.filter { snapshot in
            let session = snapshot.session
            guard session.state == .done, session.deletedAt == nil, let expiresAt = session.expiresAt else { return false }
            return expiresAt <= deadline && session.mayContinue(with: uploader.account)
        }
        guard !due.isEmpty else {
            if !json { try ConsoleWriter.standardError.displayLine("mediaup: no media id expires within \(Self.days(within))") }
            return
        }
        var entries: [HeadlessRun.Entry] = []
        var settled: [HeadlessRun.Settled] = []
        for snapshot in due {
            do {
                let queued = try await uploader.refresh(id: snapshot.id)
                entries.append(.init(file: queued.session.path, sessionID: queued.id))
            } catch {
                let session = snapshot.session
                settled.append(.refused(UploadReport(file: session.path, route: session.route, bytes: session.fileSize, error: error.message)))
            }
        }
        let code = await HeadlessRun(uploader: uploader, json: json).run(entries: entries, settled: settled)
        throw ExitCode(code)
    }

    private static func days(_ days: Double) -> String {
        days == days.rounded() ? "\(Int(days)) day\(days == 1 ? "" : "s")" : "\(days) days"
    }
}
