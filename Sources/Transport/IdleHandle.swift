import CCurl

/// An easy handle parked in the pool.
///
/// `@unchecked Sendable` because a raw pointer cannot be `Sendable`; it is sound because
/// an idle handle is owned by the pool's `Mutex`, and a handle taken out is used by
/// exactly one transfer thread until it is put back (libcurl's rule: one thread at a
/// time per easy handle).
struct IdleHandle: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    /// The socket of the connection the handle keeps alive, for progress accounting.
    let lastSocket: curl_socket_t
}
