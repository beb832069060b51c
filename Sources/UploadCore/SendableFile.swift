/// A file the uploader may send: the type it goes as, and what WhatsApp delivers with a
/// caveat the user is told.
public struct SendableFile: Sendable, Equatable {
    public var type: MediaType
    /// The inspection's warnings (none when media checks are off).
    public var warnings: [MediaFinding]

    public init(type: MediaType, warnings: [MediaFinding] = []) {
        self.type = type
        self.warnings = warnings
    }
}

extension Uploader.Options {
    /// Judges the file at `path`, of `size` bytes beginning with `head`, for `route`: the
    /// type and size rules, then, when `checksMedia`, what is inside. Throws the reasons
    /// (and the fix) for a file WhatsApp would refuse or not deliver.
    func judge(path: String, head: [UInt8], size: Int64, route: UploadRoute) throws(FileProblem) -> SendableFile {
        let type: MediaType
        switch MediaRules.verdict(head: head, fileName: path, size: size, route: route, sizeLimits: enforcesSizeLimits) {
        case .rejected(let reason): throw FileProblem(reason)
        case .accepted(let accepted): type = accepted
        }
        guard checksMedia else { return SendableFile(type: type) }
        let findings = MediaInspector.inspect(path: path, type: type).findings
        let refusals = findings.filter { $0.severity == .refused }
        guard refusals.isEmpty else { throw FileProblem(MediaFinding.sentence(refusals, path: path, fixing: findings), refusedMedia: true) }
        return SendableFile(type: type, warnings: findings)
    }
}
