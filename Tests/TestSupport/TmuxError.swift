/// Why a ``TmuxSession`` call failed.
public enum TmuxError: Error, CustomStringConvertible {
    /// A bad argument to ``TmuxSession`` itself.
    case invalidArgument(String)
    /// `tmux` exited with a non-zero status; `output` is what it printed.
    case commandFailed(arguments: [String], status: Int32, output: String)
    /// ``TmuxSession/waitFor(_:timeout:)`` or ``TmuxSession/waitUntil(timeout:_:)``
    /// gave up; `screen` is the last capture.
    case timedOut(waitingFor: String, after: Double, screen: String)

    public var description: String {
        switch self {
        case .invalidArgument(let message):
            return "TmuxSession: \(message)"
        case .commandFailed(let arguments, let status, let output):
            return "tmux \(arguments.joined(separator: " ")) exited with \(status): \(output)"
        case .timedOut(let waitingFor, let after, let screen):
            let rule = String(repeating: "-", count: 40)
            return "timed out after \(after)s waiting for \(waitingFor); last screen:\n\(rule)\n\(screen)\n\(rule)"
        }
    }
}
