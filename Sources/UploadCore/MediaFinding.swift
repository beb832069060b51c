/// One thing WhatsApp would refuse or warn about in a file, why, and what conversion
/// removes it.
public struct MediaFinding: Sendable, Equatable {
    /// Whether WhatsApp fails to deliver the file, or delivers it with a caveat.
    public enum Severity: String, Sendable {
        case refused, warned
    }

    public var severity: Severity
    /// The reason in words.
    public var reason: String
    /// What a conversion must do to remove the problem; nil when no conversion does
    /// (no video track, a file that cannot be read, a type the route does not take).
    public var remedy: MediaRemedy?

    public init(_ severity: Severity, _ reason: String, remedy: MediaRemedy? = nil) {
        self.severity = severity
        self.reason = reason
        self.remedy = remedy
    }
}

extension MediaFinding {
    /// Findings in one line: the reasons, then the one conversion that removes them all,
    /// with `path` and the name it would write ("; fix: ffmpeg -i 'clip.mp4' … "), or
    /// "; no conversion fixes it". The conversion removes `fixing` (default: the same
    /// findings), so that a refusal's fix also removes the file's warnings.
    public static func sentence(_ findings: [MediaFinding], path: String, fixing: [MediaFinding]? = nil) -> String {
        let reasons = findings.map(\.reason).joined(separator: "; ")
        let plan = MediaFixPlan(fixing ?? findings)
        if let command = plan.command(for: path) { return reasons + "; fix: " + command }
        return plan == .nothingToFix ? reasons : reasons + "; " + MediaFixPlan.noConversionText
    }
}
