#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive claim on one session, so two mediaup processes sharing a journal never
/// upload the same session at once. The kernel drops it the moment its process dies,
/// however it dies, so another process can take over at once.
///
/// On Linux every claim is a one-byte open-file-description lock (`F_OFD_SETLK`) at the
/// session's own offset of one file, `locks/sessions.lock`: a claim costs an `open` of a
/// file that exists, where a file per session cost an inode each (a quarter of the CPU
/// of a 2,000-file `/media` catalogue went to creating them) and left one file behind
/// per session ever sent. Elsewhere, where no such lock exists, it is an `flock` on a
/// small file per session.
public final class SessionLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit {
        // Closing the descriptor drops its lock, whichever kind it is.
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
        #if os(Linux)
        let path = folder + "/" + sharedFileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failed("cannot open \(path): \(FileIdentity.errorText(errno))") }
        var range = flock()
        range.l_type = Int16(F_WRLCK)
        range.l_whence = Int16(SEEK_SET)
        range.l_start = off_t(offset(of: id))
        range.l_len = 1
        guard fcntl(fd, openFileDescriptionSetLock, &range) == 0 else {
            let err = errno
            close(fd)
            return err == EAGAIN || err == EACCES ? .heldElsewhere : .failed("cannot lock \(path): \(FileIdentity.errorText(err))")
        }
        return .acquired(SessionLock(descriptor: fd))
        #else
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
            close(fd)
        }
        #endif
    }

    /// Whether another process holds session `id` right now.
    public static func isHeldElsewhere(sessionID id: String, stateDirectory: String) -> Bool {
        if case .heldElsewhere = tryAcquire(sessionID: id, stateDirectory: stateDirectory) { return true }
        return false
    }

    /// Removes what the claim on a forgotten session leaves on disk; only while holding
    /// its lock. A byte of the shared file leaves nothing.
    public static func removeFile(sessionID id: String, stateDirectory: String) {
        #if !os(Linux)
        unlink(stateDirectory + "/locks/" + id + ".lock")
        #endif
    }

    #if os(Linux)
    /// The one file whose bytes are the claims.
    static let sharedFileName = "sessions.lock"

    /// `F_OFD_SETLK`, which Glibc's Swift module leaves out (glibc defines it only for
    /// `_GNU_SOURCE`); the same on every Linux architecture.
    private static let openFileDescriptionSetLock: Int32 = 37

    /// The byte that stands for `id`: a session id (12 hex digits) is its own number,
    /// below 2⁴⁸; any other name (a process's claim) hashes to a byte above that, so the
    /// two never meet, and two names meet only by a 64-bit hash collision.
    static func offset(of id: String) -> Int64 {
        let sessionIDSpace: UInt64 = 1 << 48
        if id.utf8.count == 12, id.utf8.allSatisfy(isHexDigit), let number = UInt64(id, radix: 16) { return Int64(number) }
        // FNV-1a: stable across runs and processes, unlike Swift's seeded Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        // Kept below 2⁶² so that start + length stays far inside off_t.
        return Int64(sessionIDSpace + hash % ((1 << 62) - sessionIDSpace))
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
    #else
    /// Whether `path` still names the file open as `fd`.
    private static func isStillNamed(_ fd: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        return fstat(fd, &opened) == 0 && stat(path, &named) == 0 && opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }
    #endif
}
