import ArgumentParser
import Foundation
import Transport
import UploadCore

struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Lists the sessions in the journal."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON object per line per session.")
    var json = false

    func run() async throws {
        let (journal, _) = try global.openState()
        let listings: [SessionCatalog.Listing]
        do { listings = try SessionCatalog(journal: journal, stateDirectory: global.resolvedStateDirectory).list() } catch {
            throw UsageError(error.description)
        }
        let now = Date()
        for listing in listings {
            let session = listing.session
            if json {
                try ConsoleWriter.standardOutput.line(Self.jsonLine(listing, now: now))
            } else {
                let percent = session.fileSize > 0 ? Int(Double(session.serverOffset) * 100 / Double(session.fileSize)) : 0
                let result = session.handle.map { "h \($0)" } ?? session.mediaID.map { "id \($0)" } ?? session.lastError ?? ""
                let stateText = listing.activeElsewhere ? "active (another process)" : session.state.rawValue
                let life = session.lifeText(now: now).map { "  " + $0 } ?? ""
                try ConsoleWriter.standardOutput.displayLine(
                    "\(session.id)  \(stateText)  \(percent)%  \(ByteFormat.string(session.serverOffset))/\(ByteFormat.string(session.fileSize))  \(session.route.rawValue)  \(session.path)  \(result)\(life)"
                )
            }
        }
        if listings.isEmpty && !json {
            try ConsoleWriter.standardError.displayLine("no sessions in \(journal.path)")
        }
    }

    static func jsonLine(_ listing: SessionCatalog.Listing, now: Date) -> String {
        let session = listing.session
        return JSONLine.object([
            "id": .string(session.id),
            "file": .string(session.path),
            "state": .string(session.state.rawValue),
            "via": .string(session.route.rawValue),
            "base_url": .string(session.baseURL),
            "remote_session_id": .string(session.remoteID),
            "bytes": .number(session.fileSize),
            "server_offset": .number(session.serverOffset),
            "mime_type": .string(session.mimeType),
            "handle": .string(session.handle),
            "media_id": .string(session.mediaID),
            "sha256": .string(session.sha256),
            "attempts": .number(Int64(session.attempts)),
            "error": .string(session.lastError),
            "active_elsewhere": .bool(listing.activeElsewhere),
            "created_at": .string(session.createdAt.formatted(.iso8601)),
            "updated_at": .string(session.updatedAt.formatted(.iso8601)),
            "issued_at": .string(session.issuedAt?.formatted(.iso8601)),
            "expires_at": .string(session.expiresAt?.formatted(.iso8601)),
            "deleted_at": .string(session.deletedAt?.formatted(.iso8601)),
            "standing": .string(session.remoteStanding(now: now)?.rawValue),
            "earlier_ids": .strings(session.history.compactMap { $0.mediaID ?? $0.handle }),
        ])
    }
}

struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Removes sessions from the journal: the ones named, or with --done every finished one.",
        discussion: """
            A finished session's handle or media id goes with it, and its file is sent anew \
            by the next upload. A session another mediaup process is running is left alone. \
            Exit 1 if a named session is unknown, ambiguous or busy.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Forget every done session.")
    var done = false

    @Argument(help: "Session ids from `mediaup sessions`.")
    var ids: [String] = []

    func validate() throws {
        if !done && ids.isEmpty { throw ValidationError("name the sessions to forget, or pass --done") }
    }

    func run() async throws {
        let (journal, _) = try global.openState()
        let result: SessionCatalog.Forgetting
        do { result = try SessionCatalog(journal: journal, stateDirectory: global.resolvedStateDirectory).forget(ids: ids, allDone: done) } catch {
            throw UsageError(error.description)
        }
        let problems =
            result.unknown.compactMap { SessionLookup.unknown.problem(for: $0) }
            + result.ambiguous.sorted { $0.key < $1.key }.compactMap { SessionLookup.ambiguous($0.value).problem(for: $0.key) }
            + result.busyElsewhere.map { "\($0) is being uploaded by another mediaup process; pause it there first" }
        for problem in problems { try ConsoleWriter.standardError.displayLine("mediaup: \(problem)") }
        try ConsoleWriter.standardOutput.line("forgot \(result.forgotten.count) session\(result.forgotten.count == 1 ? "" : "s")")
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Asks the server how many bytes of a session it holds."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A session id from `mediaup sessions`, or a server session id (upload:…).")
    var sessionID: String

    func run() async throws {
        let endpoint = try global.endpoint()
        let (journal, _) = try global.openState()
        let lookup: SessionLookup
        do { lookup = try journal.lookup(sessionID) } catch { throw UsageError(error.description) }
        // A server id the journal does not know is still asked about as given.
        let stored = lookup.session
        guard lookup == .unknown && sessionID.hasPrefix("upload:") || stored != nil else {
            try ConsoleWriter.standardError.displayLine("mediaup: \(lookup.problem(for: sessionID) ?? sessionID)")
            throw ExitCode(1)
        }
        guard let remoteID = stored?.remoteID ?? (stored == nil ? sessionID : nil) else {
            let reason =
                stored?.route == .media
                ? "\(sessionID) is a /media upload: the server keeps no offset for those" : "session \(sessionID) has no server session yet"
            try ConsoleWriter.standardError.displayLine("mediaup: \(reason)")
            throw ExitCode(1)
        }
        let api = MediaAPI(endpoint: endpoint, transport: CurlTransport())
        let offset: Int64
        do throws(APIFailure) {
            offset = try await api.serverOffset(sessionID: remoteID, control: TransferControl())
        } catch {
            try? ConsoleWriter.standardError.displayLine("mediaup: \(error.reaction == .expired ? "expired: " : "")\(error.description)")
            throw ExitCode(1)
        }
        if let stored {
            let percent = stored.fileSize > 0 ? Int(Double(offset) * 100 / Double(stored.fileSize)) : 0
            try ConsoleWriter.standardOutput.displayLine(
                "\(stored.id) \(MediaAPI.redacted(remoteID)): the server holds \(offset) of \(stored.fileSize) bytes (\(percent)%)")
        } else {
            try ConsoleWriter.standardOutput.displayLine("\(MediaAPI.redacted(remoteID)): the server holds \(offset) bytes")
        }
    }
}
