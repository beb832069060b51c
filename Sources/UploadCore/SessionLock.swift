#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive claim on one session, so two mediaup processes sharing a journal never
/// upload the same session at once. It is an advisory `flock` on a small file under
/// the state directory: the kernel drops it the moment its process dies, however it
/// dies, so another process can take over at once.
public final class SessionLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The outcome of trying to claim a session.
    public enum Attempt: Sendable {
        case acquired(SessionLock)
        /// Another process holds the session.
        case heldElsewhere
        case failed(String)
    }

    /// Tries once, without waiting, to claim session `id` in `stateDirectory`.
    public static func tryAcquire(sessionID id: String, stateDirectory: String) -> Attempt {
        let folder = stateDirectory + "/locks"
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            return .failed("cannot create \(folder): \(FileIdentity.errorText(errno))")
        }
        let path = folder + "/" + id + ".lock"
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return .failed("cannot open \(path): \(FileIdentity.errorText(errno))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let err = errno
                close(fd)
                return err == EWOULDBLOCK ? .heldElsewhere : .failed("cannot lock \(path): \(FileIdentity.errorText(err))")
            }
            // Forgetting a session unlinks its lock file while holding it: a lock taken on
            // the unlinked file (opened just before) excludes no one, so take the new one.
            if isStillNamed(fd, path) { return .acquired(SessionLock(descriptor: fd)) }
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// Whether `path` still names the file open as `fd`.
    private static func isStillNamed(_ fd: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        return fstat(fd, &opened) == 0 && stat(path, &named) == 0 && opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }

    /// Whether another process holds session `id` right now.
    public static func isHeldElsewhere(sessionID id: String, stateDirectory: String) -> Bool {
        if case .heldElsewhere = tryAcquire(sessionID: id, stateDirectory: stateDirectory) { return true }
        return false
    }

    /// Removes the lock file of a forgotten session; only while holding its lock.
    public static func removeFile(sessionID id: String, stateDirectory: String) {
        unlink(stateDirectory + "/locks/" + id + ".lock")
    }
}
