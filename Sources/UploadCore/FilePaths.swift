#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Absolute, normalized paths, so that the same file always matches its session.
public enum FilePaths {
    /// `path` made absolute against the current directory, naming the file the kernel
    /// opens: the kernel follows a symbolic link before a `..` after it, so the parent
    /// folder (or, for a path ending in `..`, the whole path) is resolved with realpath.
    /// Where it does not exist, only `.` and empty parts are dropped: folding `..` as text
    /// could name another file that does exist.
    public static func absolute(_ path: String) -> String {
        let joined: String
        if path.hasPrefix("/") {
            joined = path
        } else {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let cwd = getcwd(&buffer, buffer.count).map { String(cString: $0) } ?? "."
            joined = cwd + "/" + path
        }
        let parts = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let text = "/" + parts.joined(separator: "/")
        guard let last = parts.last else { return text }
        if last == ".." { return realPath(text) ?? text }
        guard let parent = realPath("/" + parts.dropLast().joined(separator: "/")) else { return text }
        return (parent == "/" ? "" : parent) + "/" + last
    }

    /// The kernel's canonical path for an existing `path`, or nil.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The last path component.
    public static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Creates the folder at `path` and those above it (new ones 0700), like `mkdir -p`.
    /// A failure's message is the folder that could not be made and why, in the system's
    /// words: "/a/file/x: Not a directory".
    public static func makeDirectories(_ path: String) throws(FileProblem) {
        var made = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            made += "/" + component
            if mkdir(made, 0o700) != 0 && errno != EEXIST { throw FileProblem("\(made): \(systemText(errno))") }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileProblem("\(path): \(systemText(errno))") }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw FileProblem("\(path): \(systemText(ENOTDIR))") }
    }

    private static func systemText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
