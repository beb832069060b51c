/// A problem with a local file, worded for the user.
public struct FileProblem: Error, Sendable, Equatable {
    public var message: String
    /// Whether the inspection of what is inside refused the file (codecs, tracks, bit
    /// depth): a user may send it anyway with media checks off.
    public var refusedMedia: Bool

    public init(_ message: String, refusedMedia: Bool = false) {
        self.message = message
        self.refusedMedia = refusedMedia
    }
}

extension Error {
    /// The error's text for a user: the `FileProblem` message, or the description.
    public var message: String { (self as? FileProblem)?.message ?? "\(self)" }
}
