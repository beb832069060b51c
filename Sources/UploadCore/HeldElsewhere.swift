/// Why a pause, cancel, retry or forget was refused: another mediaup process is
/// uploading that session, and only the process holding a session writes its row.
public struct HeldElsewhere: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file of the session.
    public let fileName: String

    public init(fileName: String) { self.fileName = fileName }

    public var description: String {
        "another mediaup process is uploading \(fileName); pause, cancel or retry it in that process"
    }
}
