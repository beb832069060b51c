/// A stored session together with what its data file says.
struct LoadedSession: Sendable {
    var record: StoredSession
    /// The data file's size.
    var received: Int64
}
