import TerminalUI

/// A terminal the app draws on: the ncurses backend in production. It only copies a
/// rendered `CellBuffer` to the screen and reads keys; it holds no app logic.
public protocol TerminalBackend: AnyObject {
    /// Current size in columns and rows.
    var size: (width: Int, height: Int) { get }
    /// The file descriptor to wait on for input (the app loop polls it with others).
    var inputDescriptor: Int32 { get }
    /// Copies `buffer` to the screen (only what changed is sent to the terminal).
    func draw(_ buffer: CellBuffer)
    /// Events that are ready now, without waiting.
    func readEvents() -> [TerminalEvent]
    /// Writes raw bytes straight to the terminal (OSC 52 clipboard).
    func writeRaw(_ bytes: String)
    /// Gives the terminal back as it was. Safe to call more than once.
    func restore()
}
