import ArgumentParser
import Foundation
import TerminalUI
import UploadCore

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract:
            "Uploads files; a file with an unfinished session continues it from the server's offset, a file already done is reported, not sent again."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Flag(help: "One JSON object per line per file as it ends; nothing else on stdout.")
    var json = false

    @Option(help: "resumable: a session ending with a handle (templates, profile pictures); media: /media, ending with a media id (messages).")
    var via: UploadRoute = .resumable

    @Flag(
        help:
            "Send even what an earlier upload covers: the same file finished within the day, or (--via media) the same bytes with a live media id."
    )
    var force = false

    @Argument(help: "Files to upload.")
    var files: [String]

    func run() async throws {
        guard !files.isEmpty else { throw UsageError("name at least one file to upload") }
        let (uploader, _) = try transfer.makeUploader(global: global, reusesEarlierUploads: !force)
        var entries: [HeadlessRun.Entry] = []
        var settled: [HeadlessRun.Settled] = []
        for file in files {
            if RawArguments.notUTF8.contains(file) {
                settled.append(
                    .refused(
                        UploadReport(
                            file: file, route: via, bytes: nil,
                            error: "the name is not valid UTF-8, so mediaup cannot name that exact file; rename it and try again")))
                continue
            }
            do {
                switch try await uploader.add(path: file, route: via) {
                case .queued(let snapshot, let warnings):
                    entries.append(.init(file: file, sessionID: snapshot.id, warnings: warnings))
                case .alreadyDone(let snapshot):
                    var report = UploadReport(file: file, snapshot: snapshot)
                    report.reused = true
                    settled.append(.alreadyDone(report, "already sent in the last 24 hours", hint: "--force sends it again"))
                case .reused(let snapshot):
                    var report = UploadReport(file: file, snapshot: snapshot)
                    report.reused = true
                    let earlier = snapshot.session
                    let life = earlier.lifeText(now: Date()).map { ", " + $0 } ?? ""
                    let source = earlier.path == FilePaths.absolute(file) ? "" : " as \(earlier.path)"
                    settled.append(.alreadyDone(report, "reused: the same bytes went up\(source)\(life)", hint: "--force sends them again"))
                }
            } catch {
                let size = try? FileIdentity.read(path: file).get().size
                let hint = error.refusedMedia ? "; --skip-media-checks sends it anyway" : ""
                settled.append(.refused(UploadReport(file: file, route: via, bytes: size, error: error.message + hint)))
            }
        }
        let code = await HeadlessRun(uploader: uploader, json: json).run(entries: entries, settled: settled)
        throw ExitCode(code)
    }
}

extension UploadRoute: ExpressibleByArgument {}

/// Arguments whose bytes are not valid UTF-8. Swift decodes argv with repair (each bad
/// byte becomes U+FFFD), so such an argument names a different path, which may even
/// exist; these must be refused, never opened.
enum RawArguments {
    /// The repaired decodings of invalid arguments (minus any argument that really is that text).
    static let notUTF8: Set<String> = {
        var repaired = Set<String>()
        var exact = Set<String>()
        for index in 0..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            if let text = String(validatingCString: pointer) {
                exact.insert(text)
            } else {
                repaired.insert(String(cString: pointer))
            }
        }
        return repaired.subtracting(exact)
    }()
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
        var settled: [HeadlessRun.Settled] = []
        if all {
            chosen = known.filter { $0.session.state != .done && $0.session.mayContinue(with: uploader.account) }
        } else {
            let sessions = known.map(\.session)
            for text in sessionIDs {
                let lookup = SessionLookup(text, among: sessions)
                if let found = lookup.session, let snapshot = known.first(where: { $0.id == found.id }) {
                    if !chosen.contains(where: { $0.id == snapshot.id }) { chosen.append(snapshot) }
                } else {
                    settled.append(.unresolved(UploadReport(file: text, route: .resumable, bytes: nil, error: lookup.problem(for: text) ?? text)))
                }
            }
        }
        var entries: [HeadlessRun.Entry] = []
        for snapshot in chosen {
            if snapshot.session.state == .done {
                settled.append(.alreadyDone(UploadReport(file: snapshot.session.path, snapshot: snapshot), "already done"))
                continue
            }
            guard snapshot.session.mayContinue(with: uploader.account) else {
                settled.append(
                    .refused(
                        UploadReport(
                            file: snapshot.session.path, route: snapshot.session.route, bytes: snapshot.session.fileSize,
                            error: Uploader.elsewhereMessage(snapshot.session))))
                continue
            }
            await uploader.resume(id: snapshot.id)
            entries.append(.init(file: snapshot.session.path, sessionID: snapshot.id))
        }
        let code = await HeadlessRun(uploader: uploader, json: json).run(entries: entries, settled: settled)
        throw ExitCode(code)
    }
}
