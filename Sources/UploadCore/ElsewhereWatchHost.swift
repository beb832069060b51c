/// What an `ElsewhereWatch` asks of the actor that owns the sessions.
protocol ElsewhereWatchHost: Actor {
    /// Sessions shown as another process's that this process does not run.
    func sessionsActiveElsewhere() -> [UploadSnapshot]
    /// Stores and publishes a session's new snapshot; queues it here if `queuing` and queued.
    func publish(_ snapshot: UploadSnapshot, queuing: Bool)
    /// Resumes a session here.
    func resume(id: String)
}
