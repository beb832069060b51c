import UploadCore

/// Work the app loop carries out for the reducer, off the UI loop.
public enum Effect: Sendable, Equatable {
    case list(directory: String, showHidden: Bool)
    case upload(paths: [String], route: UploadRoute)
    case pause(id: String)
    case resume(id: String)
    case retry(id: String)
    case cancel(id: String)
    case pauseAll
    case resumeAll
    /// Forget every done row (journal rows too).
    case forgetDone
    /// Convert the file with its one ffmpeg run into a new file beside it; the answer
    /// comes as `.fixFinished`.
    case fix(path: String, route: UploadRoute)
    /// Write the finished uploads (`MediaExport`, CSV) to a new file in `folder`; the
    /// answer comes as a notice naming the file, or a failure.
    case export(folder: String)
    /// Ask the server about a done `/media` row's media id; the answer comes as `.mediaLookedUp`.
    case lookUpMedia(id: String)
    /// Delete a done `/media` row's media on the server (and mark it deleted); the row
    /// changes through the uploader, and a notice or failure says how it went.
    case deleteMedia(id: String)
    /// Put text on the clipboard (OSC 52).
    case copy(String)
    /// Pause what runs (so the next start resumes it), then exit.
    case quit
}
