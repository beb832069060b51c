/// What a finished child process left: its exit status, its output and how long it ran.
public struct ProcessOutcome: Sendable {
    /// The exit status; for a process killed by a signal, the signal number (see
    /// ``RunningProcess/process`` for the termination reason).
    public var status: Int32
    /// Everything the process wrote to standard output.
    public var stdout: String
    /// Everything the process wrote to standard error.
    public var stderr: String
    /// Seconds from start to exit.
    public var duration: Double
}
