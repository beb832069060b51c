/// Where a session stands after a request's body ended.
struct UploadSnapshot: Sendable {
    var id: String
    var received: Int64
    var declared: Int64
    var handle: String?
    var path: String
}
