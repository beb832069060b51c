import Foundation

/// A file received through `POST /media`.
public struct SandboxMedia: Sendable, Hashable {
    /// The numeric media id returned to the client.
    public var id: String
    /// The file part's filename.
    public var fileName: String
    /// The `type` field if sent, else the file part's content type.
    public var type: String
    /// Bytes stored.
    public var length: Int64
    /// Lower-case hex SHA-256 of the stored bytes.
    public var sha256: String
    /// The `messaging_product` field (always `whatsapp` for an accepted upload).
    public var messagingProduct: String
    /// Where the bytes are stored (removed once the media is deleted).
    public var path: String
    /// When the upload was accepted: ``SandboxConfiguration/mediaLifetime`` counts from it.
    public var uploadedAt: Date
    /// Whether `DELETE /<media id>` removed it.
    public var isDeleted: Bool = false
}
