/// One `POST /media` upload as stored in `media-<id>.json`.
///
/// Version 2 adds ``uploadedAt`` and ``deletedAt``. A version 1 file is still read: its
/// upload time is taken from the file's modification time (it was written once, when
/// the upload was accepted), and it is written again as version 2.
struct StoredMedia: Codable, Sendable {
    static let currentVersion = 2

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
    /// Wall-clock upload time, seconds since 1970 (``SandboxConfiguration/mediaLifetime``
    /// counts from it). Since version 2.
    var uploadedAt: Double?
    /// When `DELETE /<media id>` removed it, seconds since 1970; nil while it is not
    /// deleted. Since version 2.
    var deletedAt: Double?
}
