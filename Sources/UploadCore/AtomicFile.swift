import Foundation

/// Files written whole or not at all.
public enum AtomicFile {
    /// The suffix of the hidden temporary file `write` renames into place.
    public static let temporarySuffix = ".tmp"

    /// Writes `bytes` to a hidden temporary file beside `path` (created with `mode`), then
    /// renames it over `path`: a reader sees the old contents or the new, never a part,
    /// and a full disk leaves the old file as it was. A symbolic link at `path` keeps
    /// pointing where it did, at the new contents (see `target(for:)`). With `replacing`
    /// false an existing file is left alone and the call returns false (`link(2)` takes
    /// the name only while it is free); otherwise it returns true.
    @discardableResult
    public static func write(path requested: String, bytes: [UInt8], mode: mode_t = 0o644, replacing: Bool = true) throws(FileProblem) -> Bool {
        let path = try target(for: requested)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary =
            (directory.isEmpty ? "" : directory + "/")
            + ".\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8))\(temporarySuffix)"
        func problem() -> FileProblem { FileProblem("cannot write \(requested): \(String(cString: strerror(errno)))") }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw problem() }
        var failure: FileProblem?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = problem()
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0, failure == nil { failure = problem() }
        var taken = false
        if failure == nil {
            if replacing {
                if rename(temporary, path) != 0 { failure = problem() }
            } else if link(temporary, path) != 0 {
                if errno == EEXIST { taken = true } else { failure = problem() }
            }
        }
        if failure != nil || !replacing { unlink(temporary) }
        if let failure { throw failure }
        return !taken
    }

    /// The file a write to `path` should replace: `path` itself, or the file a symbolic
    /// link there points at, so the link stays a link. Anything else that is there — a
    /// device, a FIFO, a socket, a folder — is refused: renaming over it would replace
    /// `/dev/null` with a file.
    public static func target(for path: String) throws(FileProblem) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return path }
        var resolved = path
        if info.st_mode & S_IFMT == S_IFLNK {
            // A link to nothing: the name it points at is free.
            guard let real = realpath(path, nil) else { return path }
            resolved = String(cString: real)
            free(real)
            guard stat(resolved, &info) == 0 else { return resolved }
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FileProblem("\(path) is not a regular file (a folder, a device, a FIFO or a socket); name a file")
        }
        return resolved
    }
}
