import Foundation

/// Files written whole or not at all.
public enum AtomicFile {
    /// The suffix of the hidden temporary file `write` renames into place.
    public static let temporarySuffix = ".tmp"

    /// Writes `bytes` to a hidden temporary file beside `path` (created with `mode`), then
    /// renames it over `path`: a reader sees the old contents or the new, never a part,
    /// and a full disk leaves the old file as it was.
    public static func write(path: String, bytes: [UInt8], mode: mode_t = 0o644) throws(FileProblem) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary =
            (directory.isEmpty ? "" : directory + "/")
            + ".\((path as NSString).lastPathComponent).\(UUID().uuidString.prefix(8))\(temporarySuffix)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileProblem("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var failure: FileProblem?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = FileProblem("cannot write \(path): \(String(cString: strerror(errno)))")
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0, failure == nil { failure = FileProblem("cannot write \(path): \(String(cString: strerror(errno)))") }
        if failure == nil, rename(temporary, path) != 0 {
            failure = FileProblem("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }
}
