import UploadCore

/// What WhatsApp does with a file in a mode, from its type, size and what is inside:
/// the Files pane's ✓, ! and ✗.
public enum FileStanding: Sendable, Equatable {
    /// Its first bytes are not read yet.
    case checking
    /// Taken and delivered as `type`.
    case takes(MediaType)
    /// Taken as `type` and delivered, with caveats the user is told.
    case warns(MediaType, [MediaFinding])
    /// Refused, or accepted and then not delivered: the findings say why (warnings
    /// come after the refusals, so that the one fix removes them too).
    case refused([MediaFinding])

    /// The findings, refusals first; none for a file WhatsApp takes as it is.
    public var findings: [MediaFinding] {
        switch self {
        case .checking, .takes: []
        case .warns(_, let findings), .refused(let findings): findings
        }
    }

    /// The refusals' reasons, or the warnings' when there are none, in one line.
    public var reasons: String {
        let refusals = findings.filter { $0.severity == .refused }
        return (refusals.isEmpty ? findings : refusals).map(\.reason).joined(separator: "; ")
    }
}

extension FileEntry {
    /// Where the file stands in `route`; what is inside counts only when `checksMedia`
    /// (off with `--skip-media-checks`, as for `mediaup upload`).
    public func standing(for route: UploadRoute, checksMedia: Bool) -> FileStanding {
        guard let verdict = verdict(for: route) else { return .checking }
        let inside = checksMedia ? inspection?.findings ?? [] : []
        switch verdict {
        case .rejected(let reason):
            return .refused([MediaFinding(.refused, reason)] + inside)
        case .accepted(let type):
            let refusals = inside.filter { $0.severity == .refused }
            if !refusals.isEmpty { return .refused(refusals + inside.filter { $0.severity == .warned }) }
            return inside.isEmpty ? .takes(type) : .warns(type, inside)
        }
    }
}
