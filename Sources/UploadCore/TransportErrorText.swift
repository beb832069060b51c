/// User-facing words for transport errors.
public enum TransportErrorText {
    public static func describe(_ error: TransportError) -> String {
        switch error {
        case .cancelled: "cancelled"
        case .stalled(let seconds): "stalled: no byte moved, or the reply did not end, within \(Int(seconds))s"
        case .connectFailed(let detail): "cannot connect: \(detail)"
        case .connectionLost(let detail): "connection lost: \(detail)"
        case .tls(let detail): "TLS failed: \(detail)"
        case .certificate(let detail): "TLS certificate refused: \(detail)"
        case .invalidRequest(let detail): "the request cannot be built: \(detail)"
        case .fileShrank(let path): "\(path) became shorter while it was being sent"
        case .fileChanged(let path, let change): "\(path) changed on disk while it was being sent (\(change)); nothing more was sent"
        case .fileUnreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .responseTooLarge(let limit): "the server's reply was larger than \(ByteFormat.string(Int64(limit))); ignored"
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason); the download stopped"
        case .invalidURL(let detail): "invalid URL: \(detail)"
        case .other(let detail): detail
        }
    }
}
