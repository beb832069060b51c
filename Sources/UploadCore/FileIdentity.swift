#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one version of a file: its size, modification time, device, inode
/// and change time. A session belongs to one version; if any of them changes, the bytes
/// already sent are no longer the file's. The change time is what catches a file
/// rewritten in place with its size and mtime put back (`touch -r`): no user can set it.
public struct FileIdentity: Sendable, Equatable, Codable {
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var modifiedNanoseconds: Int64
    /// The device and inode; nil for a session from a journal that did not record them.
    public var device: Int64?
    public var inode: Int64?
    /// Status change time (ctime) in nanoseconds since the epoch; nil as for `device`.
    public var changedNanoseconds: Int64?

    public init(size: Int64, modifiedNanoseconds: Int64, device: Int64? = nil, inode: Int64? = nil, changedNanoseconds: Int64? = nil) {
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.device = device
        self.inode = inode
        self.changedNanoseconds = changedNanoseconds
    }

    /// Whether `other` is the same version: equal on every part both know. A session
    /// recorded before device, inode and ctime were kept compares on size and mtime.
    public func isSameVersion(as other: FileIdentity) -> Bool {
        func agree(_ a: Int64?, _ b: Int64?) -> Bool { a == nil || b == nil || a == b }
        return size == other.size && modifiedNanoseconds == other.modifiedNanoseconds && agree(device, other.device)
            && agree(inode, other.inode) && agree(changedNanoseconds, other.changedNanoseconds)
    }

    /// Reads the identity of the regular file at `path` (following symlinks), or says
    /// why it cannot be uploaded: missing, a folder, a FIFO or device, unreadable.
    public static func read(path: String) -> Result<FileIdentity, FileProblem> {
        var info = stat()
        if stat(path, &info) != 0 {
            let err = errno
            var linkInfo = stat()
            if err == ENOENT && lstat(path, &linkInfo) == 0 {
                return .failure(FileProblem("\(path) is a symbolic link to nothing"))
            }
            return .failure(FileProblem("\(path): \(errorText(err))"))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(FileProblem("\(path) is a folder, not a file"))
        case S_IFIFO: return .failure(FileProblem("\(path) is a pipe (FIFO), not a regular file"))
        case S_IFCHR, S_IFBLK: return .failure(FileProblem("\(path) is a device, not a regular file"))
        case S_IFSOCK: return .failure(FileProblem("\(path) is a socket, not a regular file"))
        default: return .failure(FileProblem("\(path) is not a regular file"))
        }
        if access(path, R_OK) != 0 {
            return .failure(FileProblem("\(path): \(errorText(errno))"))
        }
        return .success(FileIdentity(status: info))
    }

    /// The identity in a `stat` or `fstat` result.
    public init(status info: stat) {
        #if canImport(Glibc)
        let (modified, changed) = (info.st_mtim, info.st_ctim)
        #else
        let (modified, changed) = (info.st_mtimespec, info.st_ctimespec)
        #endif
        self.init(
            size: Int64(info.st_size), modifiedNanoseconds: Self.nanoseconds(modified), device: Int64(truncatingIfNeeded: info.st_dev),
            inode: Int64(truncatingIfNeeded: info.st_ino), changedNanoseconds: Self.nanoseconds(changed))
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Reads up to `count` bytes from the start of the file.
    public static func readHead(path: String, count: Int) throws(FileProblem) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileProblem("\(path): \(errorText(errno))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        guard got >= 0 else { throw FileProblem("\(path): \(errorText(errno))") }
        return Array(buffer.prefix(got))
    }

    /// The system's text for an errno value.
    public static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
