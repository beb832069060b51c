import HTTPTypes

/// An error answered as `{"error": message}` with `status`, or, when ``meta`` is set, as
/// Meta's error object `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
struct APIError: Error {
    /// The fields of Meta's error object besides the message.
    struct Meta {
        var type: String
        var code: Int
        var subcode: Int?
    }

    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]
    var meta: Meta?

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:], meta: Meta? = nil) {
        self.status = status
        self.message = message
        self.headers = headers
        self.meta = meta
    }

    static let sessionGone = APIError(.badRequest, "upload session not found or expired")

    /// What Meta answers for a media id it does not know, that expired or was deleted:
    /// HTTP 400, code 100, subcode 33.
    static func noSuchObject(_ id: String) -> APIError {
        APIError(
            .badRequest,
            "Unsupported get request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
            meta: Meta(type: "GraphMethodException", code: 100, subcode: 33))
    }
}
