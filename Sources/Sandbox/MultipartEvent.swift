/// What a streaming multipart/form-data parser reports.
enum MultipartEvent {
    /// A part begins; its headers (names lower-cased).
    case partStart(headers: [String: String])
    /// Some bytes of the current part's content.
    case data(UnsafeRawBufferPointer)
    /// The current part ended.
    case partEnd
}
