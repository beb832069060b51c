/// Everything a sandbox found in its storage directory at start.
struct LoadedSandboxState: Sendable {
    var secret: [UInt8]
    /// Oldest first.
    var sessions: [LoadedSession]
    /// Oldest first.
    var media: [(sequence: Int, media: SandboxMedia)]
}
