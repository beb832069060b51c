/// What a `SessionDriver` asks of the actor that owns the session's state. The driver
/// runs isolated to it, so each call is a plain, synchronous step.
protocol SessionDriverHost: Actor {
    /// The session as the actor holds it.
    func snapshot(id: String) -> UploadSnapshot?
    /// Changes the session and publishes the change.
    func update(_ id: String, _ change: (inout UploadSnapshot) -> Void)
    /// Writes the session's current state to the journal.
    func persist(_ id: String) throws(SessionDriver.End)
    /// Keeps the session's lock, which the run just took, until the run's last write.
    func holdLock(_ id: String, _ lock: SessionLock)
    /// The stop the user asked of the session's run, if any.
    func stopRequested(_ id: String) -> SessionPhase.Stop?
    /// Marks a new attempt as running; returns its number.
    func beginAttempt(_ id: String) -> Int
    /// Whether the user asked to end the session's backoff now (asking once is answered once).
    func takeRetryNow(_ id: String) -> Bool
    /// Stops every further start until a row is resumed or retried: the key was refused,
    /// or nothing else of this run could get through.
    func haltRun(_ message: String)
    /// Bytes sent so far by attempt `attempt`.
    func noteProgress(id: String, attempt: Int, transferred: Int64)
    /// The run ended; `end` says how (nil: done, and already published).
    func finishRun(id: String, end: SessionDriver.End?)
}
