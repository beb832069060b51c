/// The reply to a chunk of a resumable upload.
public enum ChunkReply: Sendable, Equatable {
    /// The upload is complete.
    case handle(String)
    /// Accepted, not complete: ask the server for its offset and go on.
    case accepted
}
