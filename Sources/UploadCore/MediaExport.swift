import Foundation

/// The finished uploads as a user keeps them: one record per done session, with its id
/// or handle, when it was issued and when it expires. `mediaup export` and the screen's
/// `e` write it.
public enum MediaExport {
    /// The file formats an export is written in.
    public enum Format: String, Sendable, CaseIterable {
        /// A header line, then one line per upload (RFC 4180 quoting).
        case csv
        /// One JSON object per line per upload, keys in the order of the CSV's columns.
        case json
    }

    static let columns = ["file", "bytes", "sha256", "route", "media_id", "handle", "issued_at", "expires_at", "state"]

    /// The export of `sessions`' finished uploads, oldest first, as their standing is at `now`.
    public static func text(of sessions: [UploadSession], format: Format, now: Date) -> String {
        let done = sessions.filter { $0.state == .done }.sorted { ($0.issuedAt ?? $0.updatedAt, $0.id) < ($1.issuedAt ?? $1.updatedAt, $1.id) }
        switch format {
        case .csv:
            let rows = done.map { session in values(of: session, now: now).map { csvField($0 ?? "") }.joined(separator: ",") }
            return ([columns.joined(separator: ",")] + rows).map { $0 + "\r\n" }.joined()
        case .json:
            return done.map { session in
                let values = values(of: session, now: now)
                return JSONLine.object([
                    "file": .string(values[0]), "bytes": .number(session.fileSize), "sha256": .string(values[2]),
                    "route": .string(values[3]), "media_id": .string(values[4]), "handle": .string(values[5]),
                    "issued_at": .string(values[6]), "expires_at": .string(values[7]), "state": .string(values[8]),
                ]) + "\n"
            }.joined()
        }
    }

    /// A finished session's values, in the order of `columns`.
    private static func values(of session: UploadSession, now: Date) -> [String?] {
        let time = { (date: Date?) in date.map { UTCText.string($0, separator: "T", suffix: "Z") } }
        return [
            session.path, String(session.fileSize), session.sha256, session.route.rawValue, session.mediaID, session.handle,
            time(session.issuedAt), time(session.expiresAt), session.remoteStanding(now: now)?.rawValue,
        ]
    }

    /// A new export's file name for `date`: "mediaup-export-20261203-133200.csv".
    public static func fileName(at date: Date, format: Format) -> String {
        let stamp = UTCText.string(date).prefix(19).filter { $0.isNumber || $0 == " " }.replacingOccurrences(of: " ", with: "-")
        return "mediaup-export-\(stamp).\(format == .csv ? "csv" : "jsonl")"
    }

    /// Writes `text` to a new file in `folder` named for `date` (`fileName(at:format:)`),
    /// or `…-2`, `…-3` when that name is taken: nothing is overwritten. Returns the path.
    public static func writeNewFile(_ text: String, in folder: String, at date: Date, format: Format) throws(FileProblem) -> String {
        let name = fileName(at: date, format: format)
        let stem = (name as NSString).deletingPathExtension, suffix = "." + (name as NSString).pathExtension
        let bytes = Array(text.utf8)
        for attempt in 1...100 {
            let path = (folder == "/" ? "" : folder) + "/" + stem + (attempt == 1 ? "" : "-\(attempt)") + suffix
            if try AtomicFile.write(path: path, bytes: bytes, replacing: false) { return path }
        }
        throw FileProblem("every name like \(name) is taken in \(folder)")
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
