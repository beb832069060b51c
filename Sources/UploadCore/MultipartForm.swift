import Foundation

/// A `multipart/form-data` body for `POST /media`: the fields, then the file streamed
/// from disk between a literal prefix and suffix.
struct MultipartForm {
    let boundary = "mediaup-" + UploadSession.newID() + UploadSession.newID()
    let fileName: String
    let mimeType: String

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    func body(path: String, length: Int64, version: FileIdentity? = nil, digest: SentBytesDigest? = nil) -> [BodyPart] {
        let safeName = fileName.replacingOccurrences(of: "\"", with: "%22")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        let prefix = """
            --\(boundary)\r
            Content-Disposition: form-data; name="messaging_product"\r
            \r
            whatsapp\r
            --\(boundary)\r
            Content-Disposition: form-data; name="type"\r
            \r
            \(mimeType)\r
            --\(boundary)\r
            Content-Disposition: form-data; name="file"; filename="\(safeName)"\r
            Content-Type: \(mimeType)\r
            \r

            """
        let suffix = "\r\n--\(boundary)--\r\n"
        return [
            .bytes(Array(prefix.utf8)), .file(path: path, offset: 0, length: length, version: version, digest: digest), .bytes(Array(suffix.utf8)),
        ]
    }
}
