import Synchronization

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Where a transport writes a 2xx response body instead of memory (see
/// `HTTPRequest.responseSink`): an open descriptor, written with `write(2)` as the bytes
/// arrive, each byte also fed to a SHA-256, so that a download of any size is checked
/// while it is written and memory stays flat. The descriptor belongs to the caller,
/// which opens and closes it. Thread-safe; one transfer writes at a time.
public final class ResponseSink: Sendable {
    private struct State: ~Copyable {
        var digest = SHA256Digest()
        var written: Int64 = 0
    }

    /// The descriptor the body goes to.
    public let descriptor: Int32
    /// What the descriptor is, for messages: a path, or "standard output".
    public let label: String
    private let state = Mutex(State())

    public init(descriptor: Int32, label: String) {
        self.descriptor = descriptor
        self.label = label
    }

    /// Writes all of `bytes` (and digests them); nil, or the `errno` of the write that
    /// failed (ENOSPC on a full disk, EPIPE for a reader that left).
    public func write(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        // A pointer is never Sendable, and the lock's closure may not take one in; the
        // bytes are read only during this call, under the lock (as in SentBytesDigest).
        let (address, count) = (UInt(bitPattern: bytes.baseAddress), bytes.count)
        let descriptor = self.descriptor
        return state.withLock { state in
            guard let base = UnsafeRawPointer(bitPattern: address) else { return nil }
            var done = 0
            while done < count {
                let n = systemWrite(descriptor, base + done, count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 ? errno : EIO }
                state.digest.update(UnsafeRawBufferPointer(start: base + done, count: n))
                done += n
                state.written += Int64(n)
            }
            return nil
        }
    }

    /// Bytes written so far.
    public var written: Int64 { state.withLock { $0.written } }

    /// The SHA-256 of every byte written, as lower-case hex; starts a new digest.
    public func finishDigest() -> String {
        state.withLock { state in
            let hex = state.digest.hexDigest()
            state.digest = SHA256Digest()
            return hex
        }
    }
}
