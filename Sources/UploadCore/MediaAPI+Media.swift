import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates `path` for writing, failing if it exists (outside `MediaOutput`, whose `open` hides the system's).
private func createExclusive(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
}

/// Where `MediaAPI.downloadMedia` puts the bytes.
public enum MediaDestination: Sendable, Equatable {
    /// This path. The bytes go to a hidden temporary file beside it, which is renamed into
    /// place only once complete and matching the info's SHA-256 and size, and removed on
    /// any failure or cancellation. An existing file is replaced only with `overwrite`.
    case file(String, overwrite: Bool)
    /// `<id>.<extension for the MIME type>` in this folder, as `file`.
    case folder(String, overwrite: Bool)
    /// An open descriptor (standard output for `-o -`), written as the bytes arrive: a
    /// mismatch can only be found at the end, after the bytes went out; the call then
    /// fails all the same. `label` names it in messages.
    case descriptor(Int32, label: String)
}

/// A download that completed and matched its media info.
public struct DownloadedMedia: Sendable, Equatable {
    /// The media info the bytes were checked against (the refetched one, if the URL had expired).
    public var info: RemoteMedia
    /// Where the bytes are: the final path, or the descriptor's label.
    public var location: String
    public var bytes: Int64
    /// The SHA-256 of the bytes written, which is the info's.
    public var sha256: String
    /// Whether the first URL answered 404 or 403 and the info was asked again.
    public var refetchedInfo: Bool
}

extension MediaAPI {
    /// `GET /<media id>`: the media's URL, type, SHA-256 and size.
    ///
    /// An `id` that is not digits (1 to 24) is refused before any request, and so is any
    /// lookup once `lookupBudget` is spent; every error answer counts against it. An id
    /// the server does not know (code 100, subcode 33) fails as `.noSuchMedia`.
    public func mediaInfo(id: String, control: TransferControl) async throws(APIFailure) -> RemoteMedia {
        try Self.checkPlausible(id)
        if let refusal = lookupBudget.refusal() { throw .refused(refusal) }
        let request = HTTPRequest(method: .get, url: mediaItemURL(id), headers: [authHeader()])
        let object: [String: Any]
        let body: [UInt8]
        do { (object, body) = try await exchangeReply(request, control: control, progress: { _ in }) } catch {
            if case .server(let answer) = error {
                lookupBudget.recordError()
                if answer.status == 429 { lookupBudget.recordBlock() }
                if answer.isNoSuchObject { throw .noSuchMedia(id: id, answer) }
            }
            throw error
        }
        func missing(_ field: String) -> APIFailure {
            .unexpectedReply("no \(field) in the reply to GET /\(id): \(JSONValues.excerpt(object))")
        }
        guard let url = object["url"] as? String, !url.isEmpty else { throw missing("url") }
        guard let sha256 = (object["sha256"] as? String)?.lowercased(), sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else {
            throw missing("sha256 (64 hex digits)")
        }
        guard let size = JSONValues.int64(object["file_size"]), size >= 0 else { throw missing("file_size") }
        let mimeType = (object["mime_type"] as? String) ?? "application/octet-stream"
        let givenID = object["id"] is String ? object["id"] as? String : JSONValues.numberText(forKey: "id", in: body)
        return RemoteMedia(id: givenID.flatMap { $0.isEmpty ? nil : $0 } ?? id, url: url, mimeType: mimeType, sha256: sha256, fileSize: size)
    }

    /// `DELETE /<media id>`: the server answers `{"success": true}`. An id it does not know
    /// (or that is already deleted) fails as `.noSuchMedia`.
    public func deleteMedia(id: String, control: TransferControl) async throws(APIFailure) {
        try Self.checkPlausible(id)
        let request = HTTPRequest(method: .delete, url: mediaItemURL(id), headers: [authHeader()])
        let object: [String: Any]
        do { (object, _) = try await exchangeReply(request, control: control, progress: { _ in }) } catch {
            if case .server(let answer) = error, answer.isNoSuchObject { throw .noSuchMedia(id: id, answer) }
            throw error
        }
        guard object["success"] as? Bool == true else {
            throw .unexpectedReply("the reply to DELETE /\(id) does not say success: \(JSONValues.excerpt(object))")
        }
    }

    /// Where the bytes of `info` are fetched. From 360dialog: its URL's path and query on
    /// the base URL's scheme and host (360dialog serves Meta's `lookaside.fbsbx.com` paths
    /// itself, with the same key). From Meta: the URL as given, only if it is on
    /// `https://lookaside.fbsbx.com` or the base URL's own host. Either way the key or
    /// token never goes to a host the reply chose.
    public func downloadURL(for info: RemoteMedia) throws(APIFailure) -> String {
        guard let schemeEnd = info.url.range(of: "://"),
            let slash = info.url[schemeEnd.upperBound...].firstIndex(of: "/"),
            let baseSchemeEnd = endpoint.baseURL.range(of: "://")
        else {
            throw .unexpectedReply("the media info's url is not a URL with a path (\(MediaAPI.loggedPath(info.url, baseURL: "")))")
        }
        let origin = endpoint.baseURL[..<(endpoint.baseURL[baseSchemeEnd.upperBound...].firstIndex(of: "/") ?? endpoint.baseURL.endIndex)]
        guard endpoint.graph != nil else { return String(origin + info.url[slash...]) }
        let given = APIEndpoint.canonical(String(info.url[..<slash]))
        guard given == "https://lookaside.fbsbx.com" || given == origin else {
            throw .refused(
                "the media info's url is on \(APIEndpoint.hostText(info.url)), not lookaside.fbsbx.com: not fetched, so the token stays with Meta")
        }
        return info.url
    }

    /// Downloads media `id`: asks its info, fetches its URL (asking the info once more if
    /// the URL answers 404 or 403, as it does once its 5 minutes are over), and checks the
    /// SHA-256 and size while writing. See `MediaDestination` for where the bytes go;
    /// nothing is ever left under a file's name unless it is complete and matching.
    /// `progress` gets the bytes written and the size the info gives.
    public func downloadMedia(
        id: String, to destination: MediaDestination, control: TransferControl,
        progress: @escaping @Sendable (_ written: Int64, _ total: Int64) -> Void = { _, _ in }
    ) async throws(APIFailure) -> DownloadedMedia {
        var info = try await mediaInfo(id: id, control: control)
        let output = try MediaOutput.open(destination, info: info)
        do throws(APIFailure) {
            var refetched = false
            while true {
                try output.restart()
                let sink = ResponseSink(descriptor: output.descriptor, label: output.label)
                let url = try downloadURL(for: info)
                let total = info.fileSize
                let request = HTTPRequest(method: .get, url: url, headers: [authHeader()], responseSink: sink)
                let started = ContinuousClock.now
                let response: HTTPResponse
                do {
                    response = try await transport.send(request, limits: limits, control: control, progress: { progress($0, total) })
                } catch {
                    logger.debug(
                        "GET \(Self.downloadLogPath(url)) failed after \(Self.seconds(since: started)) s: \(TransportErrorText.describe(error))")
                    throw APIFailure.transport(error)
                }
                logger.debug(
                    "GET \(Self.downloadLogPath(url)) \(response.status) \(max(sink.written, Int64(response.body.count))) bytes received, \(Self.seconds(since: started)) s"
                )
                switch response.status {
                case 200..<300:
                    // A transport that ignores the sink (a test's fake) answers in memory.
                    if sink.written == 0, !response.body.isEmpty,
                        let error = response.body.withUnsafeBytes({ sink.write($0) })
                    {
                        throw APIFailure.transport(.writeFailed(path: output.label, reason: String(cString: strerror(error))))
                    }
                    let digest = sink.finishDigest()
                    if sink.written != info.fileSize {
                        throw APIFailure.mismatch(
                            "the download of \(id) has \(sink.written) bytes, but the media info says \(info.fileSize); not kept")
                    }
                    if digest != info.sha256 {
                        throw APIFailure.mismatch(
                            "the download of \(id) does not match its SHA-256 (got \(digest), the media info says \(info.sha256)); not kept")
                    }
                    if control.isCancelled { throw APIFailure.transport(.cancelled) }
                    let location = try output.commit()
                    return DownloadedMedia(info: info, location: location, bytes: sink.written, sha256: digest, refetchedInfo: refetched)
                case 404, 403:
                    // The URL lives 5 minutes: ask for a fresh one, once; a second refusal is the answer.
                    guard !refetched else {
                        throw APIFailure.server(ServerError(status: response.status, body: response.body, headers: response.headers))
                    }
                    refetched = true
                    info = try await mediaInfo(id: id, control: control)
                case 300..<400:
                    throw APIFailure.redirected(status: response.status, location: response.headers["location"])
                default:
                    throw APIFailure.server(ServerError(status: response.status, body: response.body, headers: response.headers))
                }
            }
        } catch {
            output.discard()
            throw error
        }
    }

    /// A download URL's path for the log: without its query (`hash=` works as a key).
    static func downloadLogPath(_ url: String) -> String {
        let withoutQuery = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? url
        guard let schemeEnd = withoutQuery.range(of: "://") else { return withoutQuery }
        return withoutQuery[schemeEnd.upperBound...].firstIndex(of: "/").map { String(withoutQuery[$0...]) } ?? "/"
    }

    static func checkPlausible(_ id: String) throws(APIFailure) {
        guard RemoteMedia.isPlausibleID(id) else {
            throw .refused("\(TerminalText.escaped(id)) is not a media id (media ids are digits); nothing was asked")
        }
    }
}

/// The file (or descriptor) a download is written to: a hidden temporary beside the
/// target, made with O_EXCL, renamed into place by `commit` and removed by `discard`.
final class MediaOutput: Sendable {
    let descriptor: Int32
    let label: String
    /// The temporary and the final path, for a file; nil for a descriptor.
    private let paths: (temporary: String, final: String, overwrite: Bool)?
    /// Whether the temporary's descriptor was closed (it is closed once, never twice).
    private let closed = Mutex(false)

    private init(descriptor: Int32, label: String, paths: (temporary: String, final: String, overwrite: Bool)?) {
        self.descriptor = descriptor
        self.label = label
        self.paths = paths
    }

    static func open(_ destination: MediaDestination, info: RemoteMedia) throws(APIFailure) -> MediaOutput {
        var target: String
        let overwrite: Bool
        switch destination {
        case .descriptor(let fd, let label):
            return MediaOutput(descriptor: fd, label: label, paths: nil)
        case .file(let path, let replace):
            (target, overwrite) = (path, replace)
        case .folder(let folder, let replace):
            (target, overwrite) = ((folder as NSString).appendingPathComponent("\(info.id).\(info.fileExtension)"), replace)
        }
        if !overwrite, FileManager.default.fileExists(atPath: target) || (try? FileManager.default.destinationOfSymbolicLink(atPath: target)) != nil {
            throw .refused("\(target) already exists; not overwritten")
        }
        // --force replaces a file, or the file a link names; never a device or a folder.
        do { target = try AtomicFile.target(for: target) } catch { throw .refused(error.message) }
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let temporary = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(".\(name).\(random).partial")
        let fd = createExclusive(temporary)
        guard fd >= 0 else {
            throw .transport(.writeFailed(path: temporary, reason: String(cString: strerror(errno))))
        }
        return MediaOutput(descriptor: fd, label: target, paths: (temporary, target, overwrite))
    }

    /// Empties the temporary for another attempt (nothing was written to a descriptor
    /// before a 404 or 403, so it needs nothing).
    func restart() throws(APIFailure) {
        guard paths != nil else { return }
        if ftruncate(descriptor, 0) != 0 || lseek(descriptor, 0, SEEK_SET) != 0 {
            throw .transport(.writeFailed(path: label, reason: String(cString: strerror(errno))))
        }
    }

    /// Puts the complete file under its name; returns where the bytes are.
    func commit() throws(APIFailure) -> String {
        guard let paths else { return label }
        if fsync(descriptor) != 0 {
            throw .transport(.writeFailed(path: paths.final, reason: String(cString: strerror(errno))))
        }
        closeOnce()
        if paths.overwrite {
            guard rename(paths.temporary, paths.final) == 0 else {
                throw .transport(.writeFailed(path: paths.final, reason: String(cString: strerror(errno))))
            }
        } else {
            // link(2) fails if the name was taken meanwhile: never overwrite by a race.
            guard link(paths.temporary, paths.final) == 0 else {
                let code = errno
                if code == EEXIST { throw .refused("\(paths.final) already exists; not overwritten") }
                throw .transport(.writeFailed(path: paths.final, reason: String(cString: strerror(code))))
            }
            unlink(paths.temporary)
        }
        return paths.final
    }

    /// Removes the temporary (after a failure or a cancel); a descriptor is left open.
    func discard() {
        guard let paths else { return }
        closeOnce()
        unlink(paths.temporary)
    }

    private func closeOnce() {
        let first = closed.withLock { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
        if first { close(descriptor) }
    }
}
