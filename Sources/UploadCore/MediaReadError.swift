/// Why a file's headers could not be read: truncated, malformed, or past the read budget.
public struct MediaReadError: Error, Sendable, Equatable {
    /// What was wrong, in words ("the moov box runs past the end of the file").
    public var detail: String

    public init(_ detail: String) { self.detail = detail }

    /// The message shown to the user.
    public var message: String { "could not read: \(detail)" }
}
