/// Time and size limits for one transfer.
public struct TransferLimits: Sendable {
    /// Seconds allowed to establish the connection (TCP and TLS).
    public var connectTimeout: Double
    /// Seconds without a single byte moving in either direction before the transfer
    /// is aborted as stalled; also the longest a reply may take from its status line
    /// to its last byte (a reply that trickles on forever counts as stalled).
    public var stallTimeout: Double
    /// Largest response body accepted; a larger one fails with `.responseTooLarge`.
    public var maxResponseBytes: Int

    public init(connectTimeout: Double = 15, stallTimeout: Double = 30, maxResponseBytes: Int = 1 << 20) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.maxResponseBytes = maxResponseBytes
    }
}
