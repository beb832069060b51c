/// One piece of a request body: literal bytes, or a slice of a file read as it is sent.
public enum BodyPart: Sendable, Equatable {
    case bytes([UInt8])
    /// `length` bytes of the file at `path`, starting at `offset`. The transport reads
    /// them as it sends (never the whole file at once) and fails with
    /// `TransportError.fileShrank` if the file ends early.
    ///
    /// With `version`, the descriptor the transport opens must be that version of the
    /// file (`fstat` against `FileIdentity.isSameVersion`), or it fails with
    /// `TransportError.fileChanged` before any byte goes out. With `digest`, every file
    /// byte it hands out goes into it, read from that descriptor; it first catches the
    /// digest up to `offset` from the same descriptor.
    case file(path: String, offset: Int64, length: Int64, version: FileIdentity? = nil, digest: SentBytesDigest? = nil)

    /// How many bytes this part contributes to the body.
    public var length: Int64 {
        switch self {
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, _, let length, _, _): length
        }
    }
}
