/// How a `POST /upload:…` may go on after its headers were checked.
enum UploadStart: Sendable {
    /// Every byte is already here and the request carries none: answer the handle.
    case alreadyComplete(handle: String)
    /// Read the body; `generation` identifies this request as the session's writer.
    case proceed(generation: Int)
}
