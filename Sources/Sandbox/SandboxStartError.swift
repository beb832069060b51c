/// Thrown by ``SandboxServer/start(_:logger:)`` when the server could not start.
public struct SandboxStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
