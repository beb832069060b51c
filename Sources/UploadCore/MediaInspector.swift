/// Reads inside a file of a known type (its container's headers, never its media) and
/// judges the codecs by WhatsApp's delivery rules.
public enum MediaInspector {
    /// The file at `path`, of `type` as `MediaRules.detect` found it.
    public static func inspect(path: String, type: MediaType, budget: Int = BoundedReader.defaultBudget) -> MediaInspection {
        do {
            return inspect(try BoundedReader(path: path, budget: budget), type: type)
        } catch {
            return MediaInspection(facts: nil, findings: [MediaFinding(.refused, "could not read: \(error.message)")], bytesRead: 0)
        }
    }

    /// The bytes behind `reader`, of `type`.
    public static func inspect(_ reader: BoundedReader, type: MediaType) -> MediaInspection {
        let facts: MediaFacts?
        do {
            facts = try read(reader, mime: type.mime)
        } catch {
            return MediaInspection(facts: nil, findings: [MediaFinding(.refused, error.message)], bytesRead: reader.bytesRead)
        }
        guard var facts, let kind = type.kind else { return MediaInspection(facts: nil, findings: [], bytesRead: reader.bytesRead) }
        if facts.container == "ogg" {
            facts.voiceNote = facts.audioCodec == "opus" && reader.size <= CodecRules.voiceNoteLimit
        }
        return MediaInspection(facts: facts, findings: CodecRules.findings(facts, kind: kind), bytesRead: reader.bytesRead)
    }

    private static func read(_ reader: BoundedReader, mime: String) throws(MediaReadError) -> MediaFacts? {
        switch mime {
        case "video/mp4": try ISOMediaFile(reader: reader).facts(container: "mp4")
        case "video/3gpp": try ISOMediaFile(reader: reader).facts(container: "3gp")
        case "audio/mp4": try ISOMediaFile(reader: reader).facts(container: "m4a")
        case "audio/ogg": try OggStreams.facts(reader)
        case "audio/aac", "audio/mpeg", "audio/amr": try AudioStreamHeader.facts(reader)
        case "image/png": try PNGHeader.facts(reader)
        case "image/jpeg": try JPEGHeader.facts(reader)
        case "image/webp": try WebPHeader.facts(reader)
        default: nil
        }
    }
}
