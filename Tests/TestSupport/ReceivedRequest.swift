/// A request as the loopback server received it.
public struct ReceivedRequest: Sendable {
    public var method: String
    /// The request target exactly as it came on the wire.
    public var target: String
    /// Header names lower-cased, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers.last { $0.name == name }?.value }
    public func hasHeader(_ name: String) -> Bool { headers.contains { $0.name == name } }
}

extension ReceivedRequest: CustomStringConvertible {
    /// A summary, so a failed expectation does not print megabytes of body.
    public var description: String {
        "\(method) \(target) \(headers.map { "\($0.name): \($0.value)" }) body: \(body.count) bytes"
    }
}
