/// A problem with a local file, worded for the user.
public struct FileProblem: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension Error {
    /// The error's text for a user: the `FileProblem` message, or the description.
    public var message: String { (self as? FileProblem)?.message ?? "\(self)" }
}
