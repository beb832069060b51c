import Foundation
import Logging
import UploadCore

// What the sandbox keeps in its storage directory so that a restart on the same
// directory finds the same sessions, as the real server would (it keeps sessions
// for about a day). Next to the data files it writes small JSON files:
//
//   sandbox-secret          32 random bytes as hex, mode 0600: the signing secret,
//                           so `?sig=` of ids issued before a restart still verify.
//   session-<token>.json    one upload session (written on create, on completion,
//                           when its digest is known and when it is expired by hand).
//   media-<id>.json         one `POST /media` upload (written once it is accepted, and
//                           again when it is deleted).
//
// Every file is written to a hidden temporary file and renamed into place, so a
// crash leaves either the old or the new version. A session's received byte count
// is not stored: it is the size of its data file, which grows as bytes arrive, so it
// stays exact even after the sandbox was killed mid-body. Data files are only
// `stat`ed at start, never read.
/// Reads and writes the sandbox's JSON files in one storage directory.
struct SandboxStore: Sendable {
    let directory: String
    let logger: Logger

    static let secretFileName = "sandbox-secret"

    func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    static func sessionFileName(token: String) -> String { "session-\(token).json" }
    static func mediaFileName(id: String) -> String { "media-\(id).json" }

    // MARK: Writing

    func save(_ session: StoredSession) throws {
        try writeJSON(session, to: Self.sessionFileName(token: session.token))
    }

    func save(_ media: StoredMedia) throws {
        try writeJSON(media, to: Self.mediaFileName(id: media.id))
    }

    private func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        try AtomicFile.write(path: path(name), bytes: Array(data) + [10], mode: 0o644)
    }

    // MARK: Loading

    /// Reads the directory: the secret (created when missing or unreadable), every
    /// session and media record. Unknown or corrupt JSON files are skipped with a warning.
    func load() throws -> LoadedSandboxState {
        let secret = try loadOrCreateSecret()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var sessions: [LoadedSession] = []
        var media: [(sequence: Int, media: SandboxMedia)] = []
        for name in names.sorted() {
            if name.hasPrefix("."), name.hasSuffix(AtomicFile.temporarySuffix) {
                // Left by a write that never reached its rename.
                try? FileManager.default.removeItem(atPath: path(name))
                continue
            }
            guard name.hasSuffix(".json") else { continue }
            if name.hasPrefix("session-") {
                if let session = loadSession(name) { sessions.append(session) }
            } else if name.hasPrefix("media-") {
                if let m = loadMedia(name) { media.append(m) }
            } else {
                logger.warning("sandbox: skipping unknown JSON file in storage", metadata: ["file": "\(name)"])
            }
        }
        sessions.sort { ($0.record.sequence, $0.record.createdAt) < ($1.record.sequence, $1.record.createdAt) }
        media.sort { $0.sequence < $1.sequence }
        if !sessions.isEmpty || !media.isEmpty {
            logger.info(
                "sandbox: restored state",
                metadata: ["sessions": "\(sessions.count)", "media": "\(media.count)", "directory": "\(directory)"])
        }
        return LoadedSandboxState(secret: secret, sessions: sessions, media: media)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ name: String) -> T? {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path(name)))
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            logger.warning("sandbox: skipping unreadable state file", metadata: ["file": "\(name)", "error": "\(error)"])
            return nil
        }
    }

    private func loadSession(_ name: String) -> LoadedSession? {
        guard let record = decode(StoredSession.self, name) else { return nil }
        func skip(_ why: String) -> LoadedSession? {
            logger.warning("sandbox: skipping session file", metadata: ["file": "\(name)", "reason": "\(why)"])
            return nil
        }
        guard record.version == StoredSession.currentVersion else { return skip("unknown version \(record.version)") }
        guard name == Self.sessionFileName(token: record.token) else { return skip("token does not match file name") }
        guard record.declaredLength > 0 else { return skip("declared length \(record.declaredLength)") }
        guard isPlainFileName(record.dataFile) else { return skip("bad data file name") }
        // Bytes are written as they arrive: the data file's size is what was received.
        // A missing file means nothing was (it is created again on the next append).
        let received = fileSize(path(record.dataFile)) ?? 0
        guard received <= record.declaredLength else {
            return skip("data file holds \(received) bytes, more than the declared \(record.declaredLength)")
        }
        return LoadedSession(record: record, received: received)
    }

    private func loadMedia(_ name: String) -> (sequence: Int, media: SandboxMedia)? {
        guard var record = decode(StoredMedia.self, name) else { return nil }
        guard (1...StoredMedia.currentVersion).contains(record.version), name == Self.mediaFileName(id: record.id),
            isPlainFileName(record.dataFile)
        else {
            logger.warning("sandbox: skipping media file", metadata: ["file": "\(name)"])
            return nil
        }
        if record.version == 1 {
            // Version 1 was written once, when the upload was accepted: its time is the upload's.
            let written = (try? FileManager.default.attributesOfItem(atPath: path(name)))?[.modificationDate] as? Date
            record.uploadedAt = (written ?? Date()).timeIntervalSince1970
            record.deletedAt = nil
            record.version = StoredMedia.currentVersion
            do { try save(record) } catch {
                logger.warning("sandbox: cannot rewrite media file as version 2", metadata: ["file": "\(name)", "error": "\(error)"])
            }
        }
        guard let uploadedAt = record.uploadedAt else {
            logger.warning("sandbox: skipping media file without its upload time", metadata: ["file": "\(name)"])
            return nil
        }
        let m = SandboxMedia(
            id: record.id, fileName: record.fileName, type: record.type, length: record.length,
            sha256: record.sha256, messagingProduct: record.messagingProduct, path: path(record.dataFile),
            uploadedAt: Date(timeIntervalSince1970: uploadedAt), isDeleted: record.deletedAt != nil)
        return (record.sequence, m)
    }

    private func loadOrCreateSecret() throws -> [UInt8] {
        let secretPath = path(Self.secretFileName)
        if let data = FileManager.default.contents(atPath: secretPath) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if let bytes = hexBytes(text), bytes.count == 32 { return bytes }
            logger.warning(
                "sandbox: signing secret unreadable, drawing a new one (ids issued before no longer verify)",
                metadata: ["file": "\(secretPath)"])
        }
        let secret = randomBytes(32)
        try AtomicFile.write(path: secretPath, bytes: Array((hexString(secret) + "\n").utf8), mode: 0o600)
        return secret
    }

    private func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".."
    }
}

/// The size of a file, or nil when it cannot be `stat`ed.
func fileSize(_ path: String) -> Int64? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        let size = attributes[.size] as? NSNumber
    else { return nil }
    return size.int64Value
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
}

func hexBytes(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    var out: [UInt8] = []
    var i = 0
    while i < chars.count {
        guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}
