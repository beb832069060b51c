/// What a file is, found from its first bytes (and, where bytes cannot tell, its name).
public struct MediaType: Sendable, Equatable {
    /// The MIME type sent to the server.
    public var mime: String
    /// WhatsApp's kind, or nil when WhatsApp takes no file of this type.
    public var kind: MediaKind?
    /// For a type WhatsApp does not take, what the file is and what to do, where the MIME
    /// type alone would not say (it follows the file's name: "is a HEIC image, ...").
    public var refusal: String?

    public init(mime: String, kind: MediaKind?, refusal: String? = nil) {
        self.mime = mime
        self.kind = kind
        self.refusal = refusal
    }
}
