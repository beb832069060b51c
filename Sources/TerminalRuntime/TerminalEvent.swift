import TerminalUI

/// What the terminal reports to the app loop.
public enum TerminalEvent: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
}
