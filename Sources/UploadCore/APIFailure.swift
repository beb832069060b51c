/// Why an API call failed.
public enum APIFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No response: connection, stall, cancel, file read.
    case transport(TransportError)
    /// The server answered with an error status.
    case server(ServerError)
    /// The server answered 2xx with a body that does not say what it should.
    case unexpectedReply(String)
    /// The server redirected; the key is never sent after a redirect.
    case redirected(status: Int, location: String?)

    public var description: String {
        switch self {
        case .transport(let error): TransportErrorText.describe(error)
        case .server(let error): error.description
        case .unexpectedReply(let detail): "unexpected reply from the server: \(detail)"
        case .redirected(let status, let location):
            "the server redirected (HTTP \(status)) to \(location ?? "nowhere"); not followed, so the API key stays with the host you chose"
        }
    }
}
