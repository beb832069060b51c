/// One piece of a request body: literal bytes, or a slice of a file read as it is sent.
public enum BodyPart: Sendable, Equatable {
    case bytes([UInt8])
    /// `length` bytes of the file at `path`, starting at `offset`. The transport reads
    /// them as it sends (never the whole file at once) and fails with
    /// `TransportError.fileShrank` if the file ends early.
    case file(path: String, offset: Int64, length: Int64)

    /// How many bytes this part contributes to the body.
    public var length: Int64 {
        switch self {
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, _, let length): length
        }
    }
}
