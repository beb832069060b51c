/// What covers the panes, if anything.
public enum Overlay: Sendable, Equatable {
    case help
    case details(id: String)
    /// A file of the Files pane: what is inside, what WhatsApp makes of it, the fix.
    case fileDetails(path: String)
    /// Quit was asked with uploads running: pause them and quit?
    case confirmQuit
    /// Cancel and forget this row?
    case confirmCancel(id: String)
    /// Forget every done row?
    case confirmClearDone
    /// What the server holds under a done `/media` row's media id, against the file.
    case remoteMedia(id: String)
    /// Delete this row's media on the server?
    case confirmDeleteMedia(id: String)
}
