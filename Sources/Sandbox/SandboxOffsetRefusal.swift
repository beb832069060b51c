/// A `POST /upload:…` refused because its `file_offset` was not what the session held.
public struct SandboxOffsetRefusal: Sendable, Hashable {
    /// The `file_offset` the client sent.
    public var sent: Int64
    /// The bytes the session held at that moment.
    public var held: Int64
}
