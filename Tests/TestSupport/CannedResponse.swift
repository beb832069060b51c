/// What the server answers.
public struct CannedResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Send a `100 Continue` (with a header of its own) before the real answer.
    public var interim: Bool

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [], interim: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.interim = interim
    }
}
