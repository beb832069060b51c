/// How a file goes up: a resumable session that ends with a handle (template headers,
/// profile pictures), or a multipart `/media` post that ends with a media id (messages).
public enum UploadRoute: String, Sendable, Codable, CaseIterable {
    case resumable
    case media
}
