/// A request to send. The URL is used exactly as given: session ids carry their own
/// query string (`upload:…?sig=…`) that must not be re-encoded.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    /// Header fields in order; names as they should go on the wire.
    public var headers: [(name: String, value: String)]
    /// The body, sent in order with an exact `Content-Length`. Empty for none.
    public var body: [BodyPart]
    /// Where a 2xx response body goes: nil (the default) keeps it in memory, capped by
    /// `TransferLimits.maxResponseBytes`, in `HTTPResponse.body`; a sink gets it written
    /// to its descriptor as it arrives, uncapped, in flat memory, and `HTTPResponse.body`
    /// stays empty. Any other status keeps its (capped) body in memory whatever this
    /// says, so the error can be read.
    ///
    /// A field with a default rather than a new `HTTPTransport` method: every transport
    /// keeps one `send`, and a transport that ignores the field (a test's fake) still
    /// compiles and answers in memory; callers that need the sink check
    /// `ResponseSink.written` against what they expect.
    public var responseSink: ResponseSink?

    public init(
        method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [], body: [BodyPart] = [],
        responseSink: ResponseSink? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.responseSink = responseSink
    }

    /// Total body length in bytes.
    public var bodyLength: Int64 { body.reduce(0) { $0 + $1.length } }
}
