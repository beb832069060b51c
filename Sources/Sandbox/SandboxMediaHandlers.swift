import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import UploadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Media after the upload: `GET /<media id>` (info with a download URL that expires),
/// the download itself, streamed from disk, and `DELETE /<media id>`.
extension SandboxHandlers {
    /// The path of download URLs, as on Meta's `lookaside.fbsbx.com`.
    static let attachmentsPath = "/whatsapp_business/attachments/"

    /// Whether a path component is a media id (digits, as Meta's are) rather than a
    /// session's `upload:…`: they share the one-component routes.
    static func isMediaID(_ component: String) -> Bool {
        !component.isEmpty && component.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    // MARK: GET /<media id>

    func mediaInfo(_ request: Request, id: String) async throws -> Response {
        if await state.isMediaLookupBlocked() {
            throw APIError(.tooManyRequests, "media lookups are blocked for 30 minutes: too many errors in the last hour")
        }
        let m: SandboxMedia
        do { m = try await state.liveMedia(id) } catch {
            await state.countMediaLookupError()
            throw error
        }
        let expiry = Int64((Date().timeIntervalSince1970 + configuration.mediaURLLifetime).rounded(.up))
        let hash = state.mediaURLHash(mid: m.id, expiry: expiry)
        let host = request.head.authority ?? "127.0.0.1:\(configuration.port)"
        let url = "http://\(host)\(Self.attachmentsPath)?mid=\(m.id)&ext=\(Self.fileExtension(m.type))&hash=\(hash)"
        var sha256 = m.sha256
        if configuration.misreportsMediaSHA256 {
            // The digest of other bytes: same shape, wrong value.
            sha256 = SHA256Digest.hex(of: Array(m.sha256.utf8))
        }
        let size = m.length + (configuration.misreportsMediaSize ? 1 : 0)
        return jsonResponse(
            .ok,
            [
                "messaging_product": .string("whatsapp"), "url": .string(url), "mime_type": .string(m.type),
                "sha256": .string(sha256), "file_size": .string(String(size)), "id": .string(m.id),
            ])
    }

    /// What Meta puts in `ext=`: the MIME subtype, letters and digits only.
    static func fileExtension(_ mimeType: String) -> String {
        let subtype = mimeType.split(separator: "/").last.map(String.init) ?? "bin"
        let kept = subtype.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return kept.isEmpty ? "bin" : kept
    }

    // MARK: GET /whatsapp_business/attachments/?mid=…&ext=…&hash=…

    /// Streams the stored bytes (never the whole file in memory); an unknown, deleted or
    /// expired media id, or a hash that is wrong or past its expiry, answers 404.
    func download(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let mid = query.get("mid"), let hash = query.get("hash"), state.isValidMediaURLHash(mid: mid, hash: hash) else {
            throw APIError(.notFound, "URL signature expired or invalid")
        }
        let m: SandboxMedia
        do { m = try await state.liveMedia(mid) } catch { throw APIError(.notFound, "media not found") }
        guard let size = fileSize(m.path) else { throw APIError(.notFound, "media not found") }
        let path = m.path
        let rate = configuration.downloadBytesPerSecond
        var headers = HTTPFields()
        headers[.contentType] = m.type
        let body = ResponseBody(contentLength: Int(size)) { writer in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SandboxIOError.open(path: path, errno: errno) }
            defer { close(fd) }
            let chunk = rate.map { min(max($0 / 10, 4096), 64 * 1024) } ?? 256 * 1024
            var offset: Int64 = 0
            while offset < size {
                var buffer = ByteBufferAllocator().buffer(capacity: chunk)
                let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { raw -> Int in
                    while true {
                        let n = pread(fd, raw.baseAddress, min(chunk, Int(size - offset)), off_t(offset))
                        if n < 0 && errno == EINTR { continue }
                        if n < 0 { throw SandboxIOError.read(path: path, errno: errno) }
                        return n
                    }
                }
                if got == 0 { break }
                offset += Int64(got)
                try await writer.write(buffer)
                if let rate, rate > 0 { try await Task.sleep(for: .seconds(Double(got) / Double(rate))) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: DELETE /<media id>

    func deleteMedia(id: String) async throws -> Response {
        guard Self.isMediaID(id) else { throw APIError.noSuchObject(id) }
        try await state.deleteMedia(id)
        return jsonResponse(.ok, ["success": .bool(true)])
    }
}
