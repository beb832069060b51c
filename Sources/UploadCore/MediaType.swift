/// What a file is, found from its first bytes (and, where bytes cannot tell, its name).
public struct MediaType: Sendable, Equatable {
    /// The MIME type sent to the server.
    public var mime: String
    /// WhatsApp's kind, or nil when WhatsApp takes no file of this type.
    public var kind: MediaKind?

    public init(mime: String, kind: MediaKind?) {
        self.mime = mime
        self.kind = kind
    }
}
