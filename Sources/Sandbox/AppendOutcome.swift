import NIOCore

/// What became of one buffer of a session's body.
enum AppendOutcome: Sendable {
    /// Stored; go on reading.
    case stored
    /// A newer request took over the session; stop.
    case superseded
    /// The body goes past `file_length`; bytes up to it were stored.
    case overflow
    /// A reset offset was reached: bytes up to it are stored; cut the connection.
    case reset(at: Int64)
    /// A stall offset was reached: bytes up to it are stored; wait, then store `rest`.
    case stall(at: Int64, rest: ByteBuffer)
}
