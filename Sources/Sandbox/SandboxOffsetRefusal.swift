/// A `POST /upload:…` refused because its `file_offset` was not what the session held.
public struct SandboxOffsetRefusal: Sendable, Hashable {
    /// The `file_offset` the client sent.
    public var sent: Int64
    /// The bytes the session held at that moment. It may be more than the client was
    /// told: bytes of a cut request the sandbox had read go on being stored after a
    /// `GET` answered.
    public var held: Int64
    /// The offset the session's last `GET` answered.
    public var reported: Int64

    /// Whether the client went below what the server had told it: a client error, unlike
    /// a refusal below `held` alone.
    public var isBelowReported: Bool { sent < reported }
}
