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
    /// The server answered 404 to a call on the base URL itself (`call`, e.g.
    /// "POST /uploads"), not on a session: the base URL is wrong.
    case wrongURL(call: String, ServerError)
    /// Refused before any request: the words say why (a media id that cannot be one, the
    /// media lookup budget spent).
    case refused(String)
    /// The server does not know the media id (Meta's code 100, subcode 33): unknown,
    /// expired 30 days after its upload, or deleted.
    case noSuchMedia(id: String, ServerError)
    /// A download's bytes are not what the media info promised (SHA-256 or size).
    case mismatch(String)

    public var description: String {
        switch self {
        case .transport(let error): TransportErrorText.describe(error)
        case .server(let error): error.description
        case .unexpectedReply(let detail): "unexpected reply from the server: \(detail)"
        case .redirected(let status, let location):
            "the server redirected (HTTP \(status)) to \(location ?? "nowhere"); not followed, so the API key stays with the host you chose"
        case .wrongURL(let call, let error):
            "the server answered \(error.status) to \(call): is the base URL right? (\(error.message))"
        case .refused(let reason): reason
        case .noSuchMedia(let id, _): "no such media id (unknown, expired after 30 days, or deleted): \(id)"
        case .mismatch(let detail): detail
        }
    }
}

extension APIFailure {
    /// This failure, with a 404 read as a wrong base URL: for calls on the base URL
    /// itself, where no session can have expired.
    func notFoundAsWrongURL(_ call: String) -> APIFailure {
        if case .server(let error) = self, error.status == 404 { return .wrongURL(call: call, error) }
        return self
    }
}
