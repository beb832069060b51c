/// What an observer of the `Uploader` hears.
public enum UploaderEvent: Sendable, Equatable {
    /// A session changed: state, progress, retry timing.
    case updated(UploadSnapshot)
    /// Sessions were cancelled or cleared, and forgotten: one event for a batch, so a
    /// screen drops thousands of rows in one pass.
    case removed(ids: [String])
}
