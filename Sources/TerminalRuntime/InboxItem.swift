import TerminalUI

/// What reaches the UI thread from elsewhere.
enum InboxItem: Sendable {
    case app(Message)
    /// Ctrl-C, SIGTERM or SIGHUP: pause cleanly and quit.
    case terminate
    /// A second Ctrl-C, SIGTERM or SIGHUP: end now, without waiting for the pauses.
    case terminateNow
    /// Every transfer has stopped after a quit; the loop may end.
    case paused
    /// Nothing to apply: look at the terminal again (a resize).
    case wake
}
