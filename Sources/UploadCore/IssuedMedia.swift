import Foundation

/// A media id or handle a session was given before a refresh replaced it.
public struct IssuedMedia: Sendable, Equatable, Codable {
    public var mediaID: String?
    public var handle: String?
    public var issuedAt: Date

    public init(mediaID: String? = nil, handle: String? = nil, issuedAt: Date) {
        self.mediaID = mediaID
        self.handle = handle
        self.issuedAt = issuedAt
    }

    /// The journal's text for a history: a JSON array, oldest first; nil for none.
    static func journalText(_ history: [IssuedMedia]) -> String? {
        guard !history.isEmpty else { return nil }
        return "["
            + history.map { issued in
                JSONLine.object([
                    "media_id": .string(issued.mediaID), "handle": .string(issued.handle),
                    "issued_at": .string(UTCText.string(issued.issuedAt)),
                ])
            }.joined(separator: ",") + "]"
    }

    /// A history read back from `journalText`; what cannot be read is left out.
    static func history(fromJournalText text: String?) -> [IssuedMedia] {
        guard let data = text?.data(using: .utf8),
            let objects = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
        else { return [] }
        return objects.compactMap { object in
            guard let issued = (object["issued_at"] as? String).flatMap(UTCText.date(from:)) else { return nil }
            return IssuedMedia(mediaID: object["media_id"] as? String, handle: object["handle"] as? String, issuedAt: issued)
        }
    }
}

/// What a finished upload's media id or handle is worth now.
public enum RemoteStanding: String, Sendable, CaseIterable {
    /// Usable, as far as anyone can tell: a media id within its 30 days, or a handle
    /// (Meta documents no lifetime for handles).
    case live
    /// A media id more than 30 days old: the server has forgotten it.
    case expired
    /// Deleted on the server by mediaup.
    case deleted
}

extension UploadSession {
    /// How long a media id from an upload lasts on Meta's servers.
    public static let mediaIDLifetime: TimeInterval = 30 * 86_400

    /// When the media id expires; nil for a handle, or an unfinished session.
    public var expiresAt: Date? {
        guard route == .media, mediaID != nil, let issuedAt else { return nil }
        return issuedAt.addingTimeInterval(Self.mediaIDLifetime)
    }

    /// What the finished upload's id is worth at `now`; nil while it is not done.
    public func remoteStanding(now: Date) -> RemoteStanding? {
        guard state == .done else { return nil }
        if deletedAt != nil { return .deleted }
        if let expiresAt, expiresAt <= now { return .expired }
        return .live
    }

    /// "expires in 12 d", "expired", "deleted" for a media id; "issued 3 d ago" for a
    /// handle, since nothing says when one ends. Nil while the session is not done.
    public func lifeText(now: Date) -> String? {
        switch remoteStanding(now: now) {
        case nil: return nil
        case .deleted: return "deleted"
        case .expired: return "expired"
        case .live:
            if let expiresAt { return "expires in " + Self.span(expiresAt.timeIntervalSince(now)) }
            return issuedAt.map { "issued " + Self.span(now.timeIntervalSince($0)) + " ago" }
        }
    }

    /// How near its end a media id is shown in the warning colour: as near as the
    /// default of `mediaup refresh --within`.
    public static let expiryWarning: TimeInterval = 7 * 86_400

    /// Whether the id is live but expires within `expiryWarning` of `now`.
    public func expiresSoon(now: Date) -> Bool {
        guard remoteStanding(now: now) == .live, let expiresAt else { return false }
        return expiresAt.timeIntervalSince(now) < Self.expiryWarning
    }

    /// What a template's header component takes for this handle, to paste into it:
    /// `"example": {"header_handle": ["4::…"]}`; nil without a handle.
    public var templateExample: String? {
        handle.map { "\"example\": {\"header_handle\": [\(JSONLine.quote($0))]}" }
    }

    /// Whole days, or hours under a day, or minutes under an hour: "12 d", "5 h", "40 min".
    static func span(_ seconds: TimeInterval) -> String {
        let seconds = max(0, seconds)
        if seconds >= 86_400 { return "\(Int(seconds / 86_400)) d" }
        if seconds >= 3_600 { return "\(Int(seconds / 3_600)) h" }
        return "\(Int(seconds / 60)) min"
    }
}
