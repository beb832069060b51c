/// One `POST /media` upload as stored in `media-<id>.json`.
struct StoredMedia: Codable, Sendable {
    static let currentVersion = 1

    var version: Int
    var id: String
    var fileName: String
    var type: String
    var length: Int64
    var sha256: String
    var messagingProduct: String
    /// Creation order among the directory's media uploads.
    var sequence: Int
    /// The data file's name inside the storage directory.
    var dataFile: String
}
