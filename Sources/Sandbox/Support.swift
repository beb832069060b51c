import Foundation

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
private let systemRename = Glibc.rename
private let systemUnlink = Glibc.unlink
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
private let systemRename = Darwin.rename
private let systemUnlink = Darwin.unlink
#endif

// Small helpers the sandbox needs: URL-safe base64,
// random tokens and an append-only file sink that writes each buffer as it comes.

func base64URL(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func randomBytes(_ count: Int) -> [UInt8] {
    var rng = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// An append-only file written with plain `write(2)`: every buffer reaches the
/// kernel as soon as it is handed over, so a cut connection leaves on disk
/// exactly what was received.
final class FileSink {
    let path: String
    private var fd: Int32

    init(path: String, truncate: Bool) throws {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0)
        fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw SandboxIOError.open(path: path, errno: errno) }
    }

    deinit { close() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SandboxIOError.write(path: path, errno: errno)
            }
            offset += n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func close() {
        if fd >= 0 {
            _ = systemClose(fd)
            fd = -1
        }
    }
}

/// The suffix of the hidden temporary files ``writeFileAtomically(path:bytes:mode:)`` renames into place.
let temporarySuffix = ".tmp"

/// Writes `bytes` to a hidden temporary file next to `path` (created with `mode`),
/// then renames it over `path`: readers and a later start see the old or the new
/// contents, never a mix.
func writeFileAtomically(path: String, bytes: [UInt8], mode: mode_t) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let name = (path as NSString).lastPathComponent
    let temporary = (directory as NSString)
        .appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8))\(temporarySuffix)")
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
    guard fd >= 0 else { throw SandboxIOError.open(path: temporary, errno: errno) }
    var failure: SandboxIOError?
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .write(path: temporary, errno: errno)
                return
            }
            offset += n
        }
    }
    _ = systemClose(fd)
    if failure == nil, systemRename(temporary, path) != 0 {
        failure = .rename(path: path, errno: errno)
    }
    if let failure {
        _ = systemUnlink(temporary)
        throw failure
    }
}
