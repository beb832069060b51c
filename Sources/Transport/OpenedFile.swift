import UploadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A body file opened for one transfer, and the version of it that was opened. The
/// transfer sends it only while it stays that version: a file appended to, rewritten,
/// deleted or replaced mid-transfer would leave the server with bytes of no one version.
struct OpenedFile {
    let path: String
    let fd: Int32
    private let atOpen: stat

    /// Opens `path` for reading. `O_NONBLOCK` so that a FIFO put in the file's place
    /// cannot block the thread in `open` (where no cancel reaches it); only a regular
    /// file is then accepted, and read in blocking mode. With `version`, the descriptor
    /// must be that version: the path checked earlier may name another file by now.
    init(path: String, version: FileIdentity? = nil) throws(TransportError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .fileUnreadable(path: path, reason: errnoText(errno)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = errnoText(errno)
            close(fd)
            throw .fileUnreadable(path: path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .fileUnreadable(path: path, reason: "not a regular file (\(Self.kind(info.st_mode)))")
        }
        if let version, !FileIdentity(status: info).isSameVersion(as: version) {
            close(fd)
            throw .fileChanged(path: path, change: "the file opened is not the version the upload began with (size, times or inode)")
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            let reason = errnoText(errno)
            close(fd)
            throw .fileUnreadable(path: path, reason: reason)
        }
        self.path = path
        self.fd = fd
        atOpen = info
    }

    /// Why the file is no longer the version opened, or nil while it is: whether the
    /// path still names it (deleted, replaced), then the descriptor's size and times.
    /// A shorter file is `fileShrank`, as when a read finds its end early.
    func change() -> TransportError? {
        var named = stat()
        guard stat(path, &named) == 0 else {
            return changed(errno == ENOENT ? "it was deleted" : "it can no longer be found: \(errnoText(errno))")
        }
        if named.st_ino != atOpen.st_ino || named.st_dev != atOpen.st_dev { return changed("another file took its place") }
        var now = stat()
        guard fstat(fd, &now) == 0 else { return changed("it can no longer be read: \(errnoText(errno))") }
        if now.st_size < atOpen.st_size { return .fileShrank(path: path) }
        if now.st_size > atOpen.st_size { return changed("it grew from \(atOpen.st_size) to \(now.st_size) bytes") }
        if !Self.sameTime(now.st_mtim, atOpen.st_mtim) { return changed("it was modified") }
        if !Self.sameTime(now.st_ctim, atOpen.st_ctim) { return changed("its status changed") }
        return nil
    }

    private func changed(_ how: String) -> TransportError { .fileChanged(path: path, change: how) }

    private static func sameTime(_ a: timespec, _ b: timespec) -> Bool {
        a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a folder"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a file"
        }
    }
}
