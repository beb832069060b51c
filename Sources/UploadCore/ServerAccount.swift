import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server and account a journal row belongs to: the base URL and a salted hash of
/// the API key, never the key. "Already sent", resume and re-use hold only for the same
/// pair: a handle or session of one server or account means nothing to another.
public struct ServerAccount: Sendable, Equatable {
    /// The salt's file in the state directory: random, made once, mode 0600.
    public static let saltFileName = "account.salt"
    private static let saltLength = 32

    public var baseURL: String
    /// The first 16 hex digits of SHA-256(salt + key).
    public var fingerprint: String

    public init(baseURL: String, fingerprint: String) {
        self.baseURL = baseURL
        self.fingerprint = fingerprint
    }

    /// The pair for `endpoint`, salted with the state directory's salt (made if missing).
    public init(endpoint: APIEndpoint, stateDirectory: String) throws(JournalError) {
        let digest = SHA256Digest()
        digest.update(try Self.salt(in: stateDirectory))
        digest.update(Array(endpoint.apiKey.utf8))
        self.init(baseURL: endpoint.baseURL, fingerprint: String(digest.hexDigest().prefix(16)))
    }

    /// The directory's salt. A new one is written aside and linked into place, so that
    /// processes starting together all end up with the one that won.
    private static func salt(in directory: String) throws(JournalError) -> [UInt8] {
        let path = directory + "/" + saltFileName
        if let stored = read(path) { return stored }
        let temporary = path + ".\(getpid())"
        let fresh = (0..<saltLength).map { _ in UInt8.random(in: 0...255) }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError("cannot write \(temporary): \(FileIdentity.errorText(errno))") }
        let written = fresh.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        defer { unlink(temporary) }
        if written == saltLength { _ = link(temporary, path) }
        guard let stored = read(path) else { throw JournalError("cannot write \(path): \(FileIdentity.errorText(errno))") }
        return stored
    }

    private static func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path), data.count == saltLength else { return nil }
        return Array(data)
    }
}
