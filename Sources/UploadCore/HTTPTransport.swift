/// Sends HTTP requests. The libcurl implementation lives in the Transport module;
/// tests may stand in their own.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the server's response, whatever its status.
    /// - Parameters:
    ///   - limits: timeouts and the response size cap for this transfer.
    ///   - control: cancels the transfer from another task or thread.
    ///   - progress: called with the number of body bytes sent so far by this request,
    ///     at most a few times a second, on an arbitrary thread.
    /// - Throws: `TransportError` when no complete response arrived.
    func send(
        _ request: HTTPRequest,
        limits: TransferLimits,
        control: TransferControl,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws(TransportError) -> HTTPResponse
}
