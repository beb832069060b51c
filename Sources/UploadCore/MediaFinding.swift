/// One thing WhatsApp would refuse or warn about in a file, why, and how to fix it.
public struct MediaFinding: Sendable, Equatable {
    /// Whether WhatsApp fails to deliver the file, or delivers it with a caveat.
    public enum Severity: String, Sendable {
        case refused, warned
    }

    public var severity: Severity
    /// The reason in words.
    public var reason: String
    /// A command line that makes a file without the problem, when one exists.
    public var fix: String?

    public init(_ severity: Severity, _ reason: String, fix: String? = nil) {
        self.severity = severity
        self.reason = reason
        self.fix = fix
    }
}

extension MediaFinding {
    /// Findings in one line: the reasons, then the distinct fixes.
    public static func sentence(_ findings: [MediaFinding]) -> String {
        var seen = Set<String>()
        let fixes = findings.compactMap(\.fix).filter { seen.insert($0).inserted }
        let reasons = findings.map(\.reason).joined(separator: "; ")
        return fixes.isEmpty ? reasons : reasons + "; fix: " + fixes.joined(separator: " ; or: ")
    }
}
