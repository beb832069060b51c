#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A problem with a local file, worded for the user.
public struct FileProblem: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension Error {
    /// The error's text for a user: the `FileProblem` message, or the description.
    var message: String { (self as? FileProblem)?.message ?? "\(self)" }
}

/// What identifies one version of a file: its size and modification time. A session
/// belongs to one version; if either changes, the bytes already sent are no longer
/// the file's.
public struct FileIdentity: Sendable, Equatable, Codable {
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var modifiedNanoseconds: Int64

    public init(size: Int64, modifiedNanoseconds: Int64) {
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
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
        #if canImport(Glibc)
        let nanos = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #else
        let nanos = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #endif
        return .success(FileIdentity(size: Int64(info.st_size), modifiedNanoseconds: nanos))
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

/// Absolute, normalized paths, so that the same file always matches its session.
public enum FilePaths {
    /// `path` made absolute against the current directory, with `.` and `..` folded.
    public static func absolute(_ path: String) -> String {
        let joined: String
        if path.hasPrefix("/") {
            joined = path
        } else {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let cwd = getcwd(&buffer, buffer.count).map { String(cString: $0) } ?? "."
            joined = cwd + "/" + path
        }
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The last path component.
    public static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
