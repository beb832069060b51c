import Foundation
import Synchronization
import UploadCore

/// Standard output or standard error, written with POSIX `write`: a full disk, a closed
/// descriptor or a reader that left is an error the caller sees (never a trap, never a
/// silent loss), and it is remembered so that the process cannot exit 0 after it.
struct ConsoleWriter: Sendable {
    static let standardOutput = ConsoleWriter(descriptor: STDOUT_FILENO, name: "standard output")
    static let standardError = ConsoleWriter(descriptor: STDERR_FILENO, name: "standard error")

    /// A write that did not go through.
    struct Failure: Error, CustomStringConvertible {
        var stream: String
        var reason: String
        var description: String { "cannot write to \(stream): \(reason)" }
    }

    let descriptor: Int32
    let name: String

    /// Each stream's first failure, by descriptor.
    private static let failures = Mutex<[Int32: Failure]>([:])

    /// The first failure of standard output, if it had one.
    static var standardOutputFailure: Failure? { failures.withLock { $0[STDOUT_FILENO] } }
    /// Whether any write of this process failed.
    static var anyFailed: Bool { failures.withLock { !$0.isEmpty } }

    /// Writes all of `text`, or throws (and remembers) why not.
    func write(_ text: String) throws(Failure) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let failure = Failure(stream: name, reason: written < 0 ? String(cString: strerror(errno)) : "nothing written")
                Self.failures.withLock { if $0[descriptor] == nil { $0[descriptor] = failure } }
                throw failure
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Writes `line` and a newline, exactly (JSON lines).
    func line(_ line: String) throws(Failure) { try write(line + "\n") }

    /// Writes `line` for a person to read, its control characters shown as escapes (see
    /// `TerminalText`), and a newline.
    func displayLine(_ line: String) throws(Failure) { try write(TerminalText.escaped(line) + "\n") }

    /// Call first thing. A closed pipe becomes EPIPE from `write`, not a signal. A closed
    /// 0, 1 or 2 gets /dev/null, read-only: the next file opened (the journal, the log)
    /// cannot take its number and receive our output, and writes to it still fail.
    static func prepareProcess() {
        signal(SIGPIPE, SIG_IGN)
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDONLY)
            if opened >= 0 && opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
        }
    }
}
