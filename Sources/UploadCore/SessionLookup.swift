/// A session id as the user typed it, resolved against the journal's sessions. Every
/// command that takes ids (resume, status, forget) goes through it, so each takes what
/// another printed: the local id, the server's `upload:…` id with or without its
/// `?sig=…` query, or any unique prefix of the local id.
public enum SessionLookup: Sendable, Equatable {
    case found(UploadSession)
    /// No session matches.
    case unknown
    /// Several local ids begin with the prefix typed: these, in the journal's order.
    case ambiguous([String])

    /// Resolves `text` among `sessions`: an exact local or server id wins over a prefix.
    public init(_ text: String, among sessions: [UploadSession]) {
        guard !text.isEmpty else {
            self = .unknown
            return
        }
        let unsigned = Self.withoutQuery(text)
        if let exact = sessions.first(where: { $0.id == text || $0.remoteID == text })
            ?? sessions.first(where: { $0.remoteID.map(Self.withoutQuery) == unsigned && !text.contains("?") })
        {
            self = .found(exact)
            return
        }
        let candidates = sessions.filter { $0.id.hasPrefix(text) }
        switch candidates.count {
        case 0: self = .unknown
        case 1: self = .found(candidates[0])
        default: self = .ambiguous(candidates.map(\.id))
        }
    }

    /// The session found, if one was.
    public var session: UploadSession? {
        if case .found(let session) = self { return session }
        return nil
    }

    /// Why `text` names no one session, in words for stderr; nil when it does.
    public func problem(for text: String) -> String? {
        switch self {
        case .found: return nil
        case .unknown: return "no session \(text) in the journal (see mediaup sessions)"
        case .ambiguous(let ids): return "\(text) is ambiguous: it begins \(ids.joined(separator: ", ")); type more of the id"
        }
    }

    /// A server session id without its `?sig=…` query, as messages and logs show it.
    private static func withoutQuery(_ id: String) -> String {
        id.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? id
    }
}

extension Journal {
    /// The session `text` names (see ``SessionLookup``).
    public func lookup(_ text: String) throws(JournalError) -> SessionLookup {
        SessionLookup(text, among: try allSessions())
    }
}
