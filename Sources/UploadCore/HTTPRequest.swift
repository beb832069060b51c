/// A request to send. The URL is used exactly as given: session ids carry their own
/// query string (`upload:…?sig=…`) that must not be re-encoded.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    /// Header fields in order; names as they should go on the wire.
    public var headers: [(name: String, value: String)]
    /// The body, sent in order with an exact `Content-Length`. Empty for none.
    public var body: [BodyPart]

    public init(method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [], body: [BodyPart] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Total body length in bytes.
    public var bodyLength: Int64 { body.reduce(0) { $0 + $1.length } }
}
