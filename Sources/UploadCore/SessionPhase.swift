/// What this process is doing with one session: nothing, or one run (a task that
/// claims the session's lock, then makes attempts until it ends).
enum SessionPhase {
    /// A session's running task and the handle that aborts its transfer.
    struct Run {
        let task: Task<Void, Never>
        let control: TransferControl
    }

    /// What a stop request asks of a run.
    enum Stop { case pause, cancel }

    /// No run.
    case idle
    /// The run waits for the session's lock, or checks the file before its first attempt.
    case claiming(Run)
    /// An attempt is under way; `attempt` tells its progress from a late one of an
    /// ended attempt. `retryNow` says the user asked to end a backoff at once.
    case running(Run, attempt: Int, retryNow: Bool)
    /// The run was asked to stop and is winding down.
    case stopping(Run, Stop)

    /// The run, unless idle.
    var run: Run? {
        switch self {
        case .idle: nil
        case .claiming(let run), .running(let run, _, _), .stopping(let run, _): run
        }
    }

    /// The stop asked of the run, if any.
    var stop: Stop? {
        if case .stopping(_, let stop) = self { return stop }
        return nil
    }
}
