/// Whether WhatsApp will take a file by a given route, and why not.
public enum MediaVerdict: Sendable, Equatable {
    case accepted(MediaType)
    case rejected(reason: String)

    /// The verdict's type when accepted.
    public var mediaType: MediaType? {
        if case .accepted(let type) = self { return type }
        return nil
    }
}
