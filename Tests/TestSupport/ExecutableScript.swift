import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A script a test runs as a program (a fake ffmpeg).
public enum ExecutableScript {
    /// Writes `text` to `path`, mode 0755, through a close-on-exec descriptor. Foundation's
    /// atomic write leaves its descriptor open to any process another test forks at that
    /// moment, and running the script while such a process holds it open for writing fails
    /// with "text file busy".
    public static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { writeBytes(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
            written += count
        }
        // An existing file keeps its mode through O_CREAT: make it runnable either way.
        fchmod(fd, 0o755)
    }
}

/// The C library's `write`, which the enum's own `write` hides inside it.
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, bytes, count) }
