/// A file's outcome in `mediaup check`.
public enum MediaCheckStatus: String, Sendable {
    /// WhatsApp takes and delivers it.
    case ok
    /// WhatsApp delivers it, with a caveat the user is told.
    case warn
    /// WhatsApp refuses it, or accepts it and then fails to deliver it.
    case refused

    /// The status a list of findings amounts to.
    public init(_ findings: [MediaFinding]) {
        if findings.contains(where: { $0.severity == .refused }) {
            self = .refused
        } else {
            self = findings.isEmpty ? .ok : .warn
        }
    }
}
