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
        let sessions: [UploadSession]
        do { sessions = try journal.allSessions() } catch { throw UsageError(error.description) }
        let directory = global.resolvedStateDirectory
        for session in sessions {
            let elsewhere = session.state.isActive && SessionLock.isHeldElsewhere(sessionID: session.id, stateDirectory: directory)
            // A session left active by a process that is gone is paused, resumable.
            let state = session.state.isActive && !elsewhere ? UploadState.paused : session.state
            if json {
                print(Self.jsonLine(session, state: state, activeElsewhere: elsewhere))
            } else {
                let percent = session.fileSize > 0 ? Int(Double(session.serverOffset) * 100 / Double(session.fileSize)) : 0
                let result = session.handle.map { "h \($0)" } ?? session.mediaId.map { "id \($0)" } ?? session.lastError ?? ""
                let stateText = elsewhere ? "active (another process)" : state.rawValue
                print("\(session.id)  \(stateText)  \(percent)%  \(ByteFormat.string(session.serverOffset))/\(ByteFormat.string(session.fileSize))  \(session.route.rawValue)  \(session.path)  \(result)")
            }
        }
        if sessions.isEmpty && !json {
            FileHandle.standardError.write(Data("no sessions in \(journal.path)\n".utf8))
        }
    }

    static func jsonLine(_ session: UploadSession, state: UploadState, activeElsewhere: Bool) -> String {
        let quote = UploadReport.quote
        let fields: [(String, String)] = [
            ("id", quote(session.id)),
            ("file", quote(session.path)),
            ("state", quote(state.rawValue)),
            ("via", quote(session.route.rawValue)),
            ("remote_session_id", session.remoteId.map(quote) ?? "null"),
            ("bytes", String(session.fileSize)),
            ("server_offset", String(session.serverOffset)),
            ("mime_type", quote(session.mimeType)),
            ("handle", session.handle.map(quote) ?? "null"),
            ("media_id", session.mediaId.map(quote) ?? "null"),
            ("sha256", session.sha256.map(quote) ?? "null"),
            ("attempts", String(session.attempts)),
            ("error", session.lastError.map(quote) ?? "null"),
            ("active_elsewhere", activeElsewhere ? "true" : "false"),
            ("created_at", quote(session.createdAt.formatted(.iso8601))),
            ("updated_at", quote(session.updatedAt.formatted(.iso8601))),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}

struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Removes sessions from the journal: the ones named, or with --done every finished one.",
        discussion: """
            A finished session's handle or media id goes with it, and its file is sent anew \
            by the next upload. A session another mediaup process is running is left alone. \
            Exit 1 if a named session is unknown or busy.
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
        let directory = global.resolvedStateDirectory
        let sessions: [UploadSession]
        do { sessions = try journal.allSessions() } catch { throw UsageError(error.description) }
        var chosen = done ? sessions.filter { $0.state == .done }.map(\.id) : []
        var complete = true
        func problem(_ text: String) {
            FileHandle.standardError.write(Data("mediaup: \(text)\n".utf8))
            complete = false
        }
        for id in ids where !chosen.contains(id) {
            if sessions.contains(where: { $0.id == id }) { chosen.append(id) } else { problem("no session \(id) in \(journal.path)") }
        }
        let free = chosen.filter { id in
            guard SessionLock.isHeldElsewhere(sessionID: id, stateDirectory: directory) else { return true }
            problem("\(id) is being uploaded by another mediaup process; pause it there first")
            return false
        }
        // One transaction for them all, as the screen's C does.
        do { try journal.delete(ids: free) } catch { throw UsageError(error.description) }
        for id in free { SessionLock.removeFile(sessionID: id, stateDirectory: directory) }
        print("forgot \(free.count) session\(free.count == 1 ? "" : "s")")
        if !complete { throw ExitCode(1) }
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
        let stored: UploadSession?
        do { stored = try journal.session(id: sessionID) } catch { throw UsageError(error.description) }
        guard let remoteId = stored?.remoteId ?? (sessionID.hasPrefix("upload:") ? sessionID : nil) else {
            if let stored, stored.route == .media {
                throw UsageError("\(sessionID) is a /media upload: the server keeps no offset for those")
            }
            throw UsageError(stored == nil ? "no session \(sessionID) in the journal (see mediaup sessions)" : "session \(sessionID) has no server session yet")
        }
        let api = MediaAPI(endpoint: endpoint, transport: CurlTransport())
        do throws(APIFailure) {
            let offset = try await api.serverOffset(sessionID: remoteId, control: TransferControl())
            if let stored {
                let percent = stored.fileSize > 0 ? Int(Double(offset) * 100 / Double(stored.fileSize)) : 0
                print("\(stored.id) \(MediaAPI.redacted(remoteId)): the server holds \(offset) of \(stored.fileSize) bytes (\(percent)%)")
            } else {
                print("\(MediaAPI.redacted(remoteId)): the server holds \(offset) bytes")
            }
        } catch {
            FileHandle.standardError.write(Data("mediaup: \(error.reaction == .expired ? "expired: " : "")\(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
