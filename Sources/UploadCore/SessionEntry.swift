/// One session as the `Uploader` holds it: what a screen draws, and what this process
/// is doing with it.
struct SessionEntry {
    var snapshot: UploadSnapshot
    var phase: SessionPhase = .idle

    /// Whether a run is under way (claiming, running or stopping).
    var isRunning: Bool { phase.run != nil }

    /// Whether a run is under way or the session waits for one.
    var isActive: Bool { isRunning || snapshot.session.state.isActive }
}
