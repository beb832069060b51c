/// One request as the sandbox answered it. Never holds the API key or the signature.
public struct SandboxRequestRecord: Sendable, Hashable {
    /// The HTTP method.
    public var method: String
    /// The path without its query string.
    public var path: String
    /// The `file_offset` header as sent, if any.
    public var fileOffset: String?
    /// The status answered, or nil when the sandbox cut the connection instead of answering.
    public var status: Int?
}
