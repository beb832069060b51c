import Synchronization

/// The SHA-256 of a file's bytes as the transport reads them to send, in file order,
/// and how far into the file it has got. One run of a session shares one across its
/// attempts and chunks; its digest is the file's only if `position` reaches the size.
///
/// Bytes offered at any other offset than `position` restart it from byte 0: an
/// out-of-order feed must never go into the digest. The transport then catches it up
/// from the descriptor it sends from (`catchUp(to:read:shouldStop:)`).
public final class SentBytesDigest: Sendable, Equatable {
    private struct State: ~Copyable {
        var digest = SHA256Digest()
        var position: Int64 = 0
    }

    /// Bytes read per step of a catch-up: memory stays flat whatever the file's size.
    public static let catchUpPieceSize = 1 << 20

    private let state = Mutex(State())

    /// Creates an empty digest at position 0.
    public init() {}

    /// The file offset the next fed byte must come from: every byte below it went in.
    public var position: Int64 { state.withLock { $0.position } }

    /// Adds `bytes`, read from the file at `offset`. Out of order (any offset but
    /// `position`), the digest restarts from byte 0 instead, taking them only if
    /// `offset` is 0.
    public func feed(_ bytes: UnsafeRawBufferPointer, at offset: Int64) {
        // A pointer is never Sendable, and the lock's closure may not take one in; the
        // bytes are read only during this call, under the lock.
        let (address, count) = (UInt(bitPattern: bytes.baseAddress), bytes.count)
        state.withLock { state in
            if offset != state.position {
                state = State()
                guard offset == 0 else { return }
            }
            state.digest.update(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: count))
            state.position += Int64(count)
        }
    }

    /// Brings `position` to `offset` before a request that starts there: reads the
    /// missing bytes with `read` (into a buffer, at a file offset; returns the count, 0
    /// at the end, or a negative number on an error) in pieces of `catchUpPieceSize`,
    /// asking `shouldStop` between them. Above `offset` (the server holds fewer bytes
    /// than were hashed), it first restarts from byte 0.
    /// - Returns: how it ended; anything but `.reached` leaves `position` below `offset`.
    public func catchUp(
        to offset: Int64, read: (UnsafeMutableRawBufferPointer, Int64) -> Int, shouldStop: () -> Bool
    ) -> CatchUpResult {
        if position > offset { restart() }
        guard position < offset else { return .reached }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.catchUpPieceSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let at = position
            guard at < offset else { return .reached }
            if shouldStop() { return .stopped }
            let want = Int(min(Int64(buffer.count), offset - at))
            let got = read(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at)
            if got < 0 { return .readFailed }
            if got == 0 { return .endedEarly }
            feed(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), at: at)
        }
    }

    /// How a catch-up ended.
    public enum CatchUpResult: Sendable, Equatable {
        /// `position` is the requested offset.
        case reached
        /// `shouldStop` said so.
        case stopped
        /// The read failed (its errno is the reader's to keep).
        case readFailed
        /// The file ended before the offset.
        case endedEarly
    }

    /// Forgets every byte: position 0, an empty digest.
    public func restart() {
        state.withLock { $0 = State() }
    }

    /// The digest as lower-case hex if exactly `length` bytes went in (every byte of a
    /// `length`-byte file, in order), else nil. Either way the digest starts over.
    public func hexDigest(ifLength length: Int64) -> String? {
        state.withLock { state in
            let complete = state.position == length
            let hex = complete ? state.digest.hexDigest() : nil
            state = State()
            return hex
        }
    }

    /// Two digests are equal only if they are the same object: a body part names the
    /// sink its bytes go to.
    public static func == (lhs: SentBytesDigest, rhs: SentBytesDigest) -> Bool { lhs === rhs }
}
