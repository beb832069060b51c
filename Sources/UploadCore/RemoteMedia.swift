import Foundation

/// What `GET /<media id>` says about an uploaded media file.
public struct RemoteMedia: Sendable, Equatable {
    /// The media id, as the server gave it.
    public var id: String
    /// Where its bytes can be fetched, for a few minutes (Meta: 5): a `lookaside.fbsbx.com`
    /// URL, which through 360dialog is fetched from the 360dialog host (see
    /// `MediaAPI.downloadURL(for:)`).
    public var url: String
    public var mimeType: String
    /// Lower-case hex SHA-256 of the bytes, as the server says.
    public var sha256: String
    /// Bytes, as the server says (Meta sends a string of digits; a number works too).
    public var fileSize: Int64
    /// When this process received the info: the URL expires `urlLifetime` after it.
    public var fetchedAt: Date

    /// How long a download URL stays valid after the info was given.
    public static let urlLifetime: TimeInterval = 300

    public init(id: String, url: String, mimeType: String, sha256: String, fileSize: Int64, fetchedAt: Date = Date()) {
        self.id = id
        self.url = url
        self.mimeType = mimeType
        self.sha256 = sha256
        self.fileSize = fileSize
        self.fetchedAt = fetchedAt
    }

    /// When the URL stops working, by the documented lifetime.
    public var urlExpiresAt: Date { fetchedAt.addingTimeInterval(Self.urlLifetime) }

    /// Whether `text` can be a media id: digits only, 1 to 24 of them. Checked before any
    /// request, so a typo (or a path, or a session id) never costs a lookup error.
    public static func isPlausibleID(_ text: String) -> Bool {
        (1...24).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// The file name extension for the MIME type (`jpg` for `image/jpeg`), else the
    /// URL's `ext=` when it is plain letters and digits, else `bin`.
    public var fileExtension: String {
        let known: [String: String] = [
            "image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png", "image/webp": "webp", "video/mp4": "mp4",
            "video/3gpp": "3gp", "audio/aac": "aac", "audio/amr": "amr", "audio/mpeg": "mp3", "audio/mp4": "m4a",
            "audio/ogg": "ogg", "application/pdf": "pdf", "text/plain": "txt", "application/msword": "doc",
            "application/vnd.ms-excel": "xls", "application/vnd.ms-powerpoint": "ppt",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
        ]
        let bare = mimeType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if let ext = known[bare] { return ext }
        let fromURL = URLComponents(string: url)?.queryItems?.first { $0.name == "ext" }?.value ?? ""
        if !fromURL.isEmpty, fromURL.count <= 8, fromURL.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { return fromURL.lowercased() }
        return "bin"
    }
}
