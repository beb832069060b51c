/// One session as the `Uploader` holds it: what a screen draws, and what this process
/// is doing with it.
struct SessionEntry {
    var snapshot: UploadSnapshot
    var phase: SessionPhase = .idle
    /// This process's claim on the session: taken when a run starts, let go once the
    /// run's last state is written. Only the holder of a session's lock writes its row.
    var lock: SessionLock?

    /// Whether a run is under way (claiming, running or stopping).
    var isRunning: Bool { phase.run != nil }

    /// Whether a run is under way or the session waits for one here (a row another
    /// process is uploading is that process's to settle).
    var isActive: Bool { isRunning || (snapshot.session.state.isActive && !snapshot.activeElsewhere) }
}
