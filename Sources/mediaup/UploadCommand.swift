import ArgumentParser
import Foundation
import TerminalUI
import UploadCore

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Uploads files; a file with an unfinished session continues it from the server's offset, a file already done is reported, not sent again."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Flag(help: "One JSON object per line per file as it ends; nothing else on stdout.")
    var json = false

    @Option(help: "resumable: a session ending with a handle (templates, profile pictures); media: /media, ending with a media id (messages).")
    var via: UploadRoute = .resumable

    @Argument(help: "Files to upload.")
    var files: [String]

    func run() async throws {
        guard !files.isEmpty else { throw UsageError("name at least one file to upload") }
        let (uploader, journal) = try transfer.makeUploader(global: global)
        var entries: [HeadlessRun.Entry] = []
        var settled: [UploadReport] = []
        for file in files {
            // Already done by an earlier run (same path, size and mtime): report it, send
            // nothing. Running the same command again after a crash then only finishes
            // what the crash left, instead of uploading the finished files a second time.
            let path = FilePaths.absolute(file)
            if case .success(let identity) = FileIdentity.read(path: path),
                let done = try? journal.finishedSession(path: path, identity: identity, route: via)
            {
                settled.append(UploadReport(file: file, snapshot: UploadSnapshot(session: done)))
                continue
            }
            do {
                let snapshot = try await uploader.add(path: file, route: via)
                entries.append(.init(file: file, sessionID: snapshot.id))
            } catch {
                let size = try? FileIdentity.read(path: file).get().size
                settled.append(UploadReport(file: file, route: via, bytes: size, error: error.message))
            }
        }
        let code = await HeadlessRun(uploader: uploader, json: json).run(entries: entries, settled: settled)
        throw ExitCode(code)
    }
}

extension UploadRoute: ExpressibleByArgument {}

extension Error {
    /// The text to show a user.
    var message: String {
        if let problem = self as? FileProblem { return problem.message }
        return "\(self)"
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continues unfinished sessions from the server's offset."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Flag(help: "One JSON object per line per file as it ends; nothing else on stdout.")
    var json = false

    @Flag(help: "Every session that is not done.")
    var all = false

    @Argument(help: "Session ids (from `mediaup sessions`).")
    var sessionIDs: [String] = []

    func validate() throws {
        if all == !sessionIDs.isEmpty { throw ValidationError("name session ids, or pass --all") }
    }

    func run() async throws {
        let (uploader, _) = try transfer.makeUploader(global: global)
        let known = try await uploader.loadJournal()
        var chosen: [UploadSnapshot] = []
        var settled: [UploadReport] = []
        if all {
            chosen = known.filter { $0.session.state != .done }
        } else {
            for id in sessionIDs {
                if let snapshot = known.first(where: { $0.id == id || $0.session.remoteId == id }) {
                    chosen.append(snapshot)
                } else {
                    settled.append(UploadReport(file: id, route: .resumable, bytes: nil, error: "no session \(id) in the journal (see mediaup sessions)"))
                }
            }
        }
        var entries: [HeadlessRun.Entry] = []
        for snapshot in chosen {
            if snapshot.session.state == .done {
                settled.append(UploadReport(file: snapshot.session.path, snapshot: snapshot))
                continue
            }
            await uploader.resume(id: snapshot.id)
            entries.append(.init(file: snapshot.session.path, sessionID: snapshot.id))
        }
        let code = await HeadlessRun(uploader: uploader, json: json).run(entries: entries, settled: settled)
        throw ExitCode(code)
    }
}
