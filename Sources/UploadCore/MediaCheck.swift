/// One file judged as `mediaup check` does: today's type and size rules for a route, then
/// what is inside (codecs, tracks, bit depth, sticker size).
public struct MediaCheck: Sendable, Equatable {
    public var file: String
    public var route: UploadRoute
    /// The type found from the first bytes; nil when the file could not be opened.
    public var type: MediaType?
    public var size: Int64?
    /// What reading inside found; nil for a file no rule reads inside (documents, refused types).
    public var inspection: MediaInspection?
    /// The route's refusal first, then the inspection's findings.
    public var findings: [MediaFinding]

    /// Judges the file at `path` for `route`.
    public init(path: String, route: UploadRoute, budget: Int = BoundedReader.defaultBudget) {
        file = path
        self.route = route
        findings = []
        // The identity and the first bytes are read once, for today's rules and the inspection.
        let identity: FileIdentity
        switch FileIdentity.read(path: path) {
        case .failure(let problem):
            findings.append(MediaFinding(.refused, problem.message))
            return
        case .success(let read): identity = read
        }
        let head: [UInt8]
        do { head = try FileIdentity.readHead(path: path, count: MediaRules.sniffLength) } catch {
            findings.append(MediaFinding(.refused, "cannot read \(error.message)"))
            return
        }
        if case .rejected(let reason) = MediaRules.verdict(head: head, fileName: path, size: identity.size, route: route) {
            findings.append(MediaFinding(.refused, reason))
        }
        guard !head.isEmpty else { return }
        size = identity.size
        let type = MediaRules.detect(head: head, fileName: path)
        self.type = type
        guard type.kind != nil else { return }
        let inspection = MediaInspector.inspect(path: path, type: type, budget: budget)
        self.inspection = inspection
        findings += inspection.findings
    }

    /// A file refused before it could be read: a folder that cannot be listed, a name
    /// that cannot be opened as given.
    public init(file: String, route: UploadRoute, refusedBecause reason: String) {
        self.file = file
        self.route = route
        findings = [MediaFinding(.refused, reason)]
    }

    public var status: MediaCheckStatus { MediaCheckStatus(findings) }

    /// The one conversion that removes every finding.
    public var fixPlan: MediaFixPlan { MediaFixPlan(findings) }

    /// That conversion as a command line with this file's path and the name it would
    /// write beside it; nil when nothing needs fixing or no conversion fixes it.
    public var fixCommand: String? { fixPlan.command(for: file) }

    /// The check as one line of JSON (no newline), keys in a fixed order.
    public var jsonLine: String {
        let facts = inspection?.facts
        return JSONLine.object([
            "file": .string(file),
            "status": .string(status.rawValue),
            "kind": .string(type?.kind?.rawValue),
            "mime_type": .string(type?.mime),
            "via": .string(route.rawValue),
            "bytes": .number(size),
            "container": .string(facts?.container),
            "video_codec": .string(facts?.videoCodec),
            "audio_codec": .string(facts?.audioCodec),
            "profile": .string(facts?.profile),
            "width": .number(facts?.width.map(Int64.init)),
            "height": .number(facts?.height.map(Int64.init)),
            "channels": .number(facts?.channels.map(Int64.init)),
            "bit_depth": .number(facts?.bitDepth.map(Int64.init)),
            "color": .string(facts?.color),
            "video_tracks": .number(facts?.videoTracks.map(Int64.init)),
            "audio_tracks": .number(facts?.audioTracks.map(Int64.init)),
            "animated": .optionalBool(facts?.animated),
            "fast_start": .optionalBool(facts?.fastStart),
            "duration_ms": .number(facts?.durationMilliseconds),
            "voice_note": .optionalBool(facts?.voiceNote),
            "refused": .strings(findings.filter { $0.severity == .refused }.map(\.reason)),
            "warned": .strings(findings.filter { $0.severity == .warned }.map(\.reason)),
            "fix": .string(fixCommand),
        ])
    }

    /// The check as one line of text, unescaped: status, kind, name, facts, reasons, fix.
    public var textLine: String {
        var parts = [status.rawValue, type?.kind?.rawValue ?? "-", file]
        if let facts = inspection?.facts { parts.append(facts.summary) }
        var line = parts.joined(separator: "  ")
        if !findings.isEmpty { line += ": " + MediaFinding.sentence(findings, path: file) }
        return line
    }
}
