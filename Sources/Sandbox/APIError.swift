import HTTPTypes

/// An error answered as `{"error": message}` with `status`.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    static let sessionGone = APIError(.badRequest, "upload session not found or expired")
}
