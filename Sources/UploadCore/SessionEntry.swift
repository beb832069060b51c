/// One session as the `Uploader` holds it: what a screen draws, and what this process
/// is doing with it.
struct SessionEntry {
    var snapshot: UploadSnapshot
    var phase: SessionPhase = .idle

    /// Whether a run is under way or the session waits for one.
    var isActive: Bool { phase.run != nil || snapshot.session.state.isActive }
}
