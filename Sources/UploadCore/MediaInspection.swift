/// What reading inside one file found: the facts its headers state, and what WhatsApp
/// would refuse or warn about.
public struct MediaInspection: Sendable, Equatable {
    /// The facts read; nil when the headers could not be read or the kind has none to read.
    public var facts: MediaFacts?
    /// Refusals and warnings, "could not read: …" among them when the headers were malformed.
    public var findings: [MediaFinding]
    /// The bytes read to get here: headers and box tables only, within the reader's budget.
    public var bytesRead: Int

    public init(facts: MediaFacts?, findings: [MediaFinding], bytesRead: Int) {
        self.facts = facts
        self.findings = findings
        self.bytesRead = bytesRead
    }

    /// What the findings amount to.
    public var status: MediaCheckStatus { MediaCheckStatus(findings) }
}
