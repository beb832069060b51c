/// An HTTP method the media API uses.
public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
    /// `DELETE /<media id>`; never with a body.
    case delete = "DELETE"
}
