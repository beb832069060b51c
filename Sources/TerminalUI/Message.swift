import Foundation
import UploadCore

/// Everything that can change the state: keys, the terminal, the disk, the uploader.
public enum Message: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(now: Double, date: Date)
    case listed(DirectoryListing)
    /// The folder's entries changed on disk (one was added, removed or renamed).
    case folderChanged(directory: String)
    case judged(directory: String, judgements: [FileJudgement])
    /// Sizes, times and problems of rows listed before they were stat'ed.
    case statted(directory: String, facts: [FileFacts])
    case uploader(UploaderEvent)
    /// Sessions from the journal at start.
    case loaded([UploadSnapshot])
    /// Something the user asked for could not be done.
    case failed(String)
    case notice(String)
    /// Ctrl-C, SIGTERM or SIGHUP: pause what runs and quit, without asking.
    case terminate
    /// The uploader's answer to one `.upload` effect: the names of files it did not send
    /// again (finished unchanged within the day), and the files it refused, with why.
    case queueAnswered(alreadySent: [String], failed: [String])
    /// The server's answer about row `id`'s media id.
    case mediaLookedUp(id: String, RemoteLookup)
    /// ffmpeg's run on the file at `path` ended; `outcome` says how, in a line.
    case fixFinished(path: String, outcome: String)
}
