import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import UploadCore

/// The endpoint logic. Bodies are never collected: session bytes go to the
/// session's file buffer by buffer, multipart bodies through a streaming parser.
struct SandboxHandlers: Sendable {
    let state: SandboxState
    let configuration: SandboxConfiguration
    let logger: Logger

    static let acceptedFileTypes: Set<String> = [
        "application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4",
    ]

    // MARK: POST /uploads

    func createSession(_ request: Request) async throws -> Response {
        if await state.shouldRateLimitCreate() {
            var headers = HTTPFields()
            headers[.retryAfter] = String(configuration.retryAfterSeconds)
            throw APIError(.tooManyRequests, "rate limited", headers: headers)
        }
        let query = request.uri.queryParameters
        guard let name = query.get("file_name"), !name.isEmpty else {
            throw APIError(.badRequest, "missing query parameter file_name")
        }
        guard let lengthText = query.get("file_length") else {
            throw APIError(.badRequest, "missing query parameter file_length")
        }
        guard let length = Int64(lengthText), length > 0 else {
            throw APIError(.badRequest, "file_length must be a positive integer")
        }
        guard let type = query.get("file_type"), !type.isEmpty else {
            throw APIError(.badRequest, "missing query parameter file_type")
        }
        guard Self.acceptedFileTypes.contains(type) else {
            let accepted = Self.acceptedFileTypes.sorted().joined(separator: ", ")
            throw APIError(.badRequest, "unsupported file_type \(type); accepted: \(accepted)")
        }
        let id = try await state.createSession(fileName: name, fileType: type, length: length)
        return jsonResponse(.ok, ["id": .string(id)])
    }

    // MARK: GET /upload:…

    func sessionStatus(_ request: Request, session: String) async throws -> Response {
        let token = try sessionToken(session, request: request)
        let status = try await state.status(token: token)
        return jsonResponse(.ok, ["id": .string(status.id), "file_offset": .number(status.received)])
    }

    /// The token of `upload:<token>` after checking the prefix and the `sig` query parameter.
    private func sessionToken(_ session: String, request: Request) throws -> String {
        guard session.hasPrefix("upload:") else {
            throw APIError(.badRequest, "missing 'upload:' prefix")
        }
        let token = String(session.dropFirst("upload:".count))
        guard !token.isEmpty else { throw APIError.sessionGone }
        guard let sig = request.uri.queryParameters.get("sig"), sig == state.signature(for: token) else {
            throw APIError(.badRequest, "invalid signature")
        }
        return token
    }

    private func injectFailure() async throws {
        if await state.shouldInjectFailure() {
            throw APIError(.serviceUnavailable, "sandbox: injected failure")
        }
    }

    /// Sets how an upload's connection is read. With a rate limit, the kernel's receive
    /// buffer stays small, as on a slow link; otherwise loopback TCP takes megabytes at
    /// once and a client's progress (bytes the peer acknowledged) runs far ahead of what
    /// the sandbox has read. Without one, reads are large (below).
    private func tuneReceiving(_ channel: any Channel) async {
        guard let rate = configuration.bytesPerSecond, let provider = channel as? any SocketOptionProvider else {
            // Unthrottled: read up to 1 MiB at a time (NIO's default stops at 64 KiB). A
            // GiB then crosses from the event loop to the handler in a thousand buffers, not
            // sixteen thousand; those hand-offs made the sandbox slower than the clients it
            // measures (bench/RESULTS.md, comparison 1).
            let reads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 64 * 1024, maximum: 1 << 20)
            try? await channel.setOption(ChannelOptions.recvAllocator, value: reads).get()
            return
        }
        let size = min(max(rate / 8, 16 * 1024), 256 * 1024)
        try? await provider.unsafeSetSocketOption(level: .socket, name: .so_rcvbuf, value: SocketOptionValue(size)).get()
        // Reads no larger than the receive buffer: the body stream holds up to ten of them
        // ahead of the rate limit, and 64 KiB reads let a loaded sandbox sit on megabytes
        // it had taken from the socket but not yet stored.
        let reads = FixedSizeRecvByteBufferAllocator(capacity: max(size / 4, 4096))
        try? await channel.setOption(ChannelOptions.recvAllocator, value: reads).get()
    }

    private func throttle(_ count: Int) async throws {
        guard let rate = configuration.bytesPerSecond, rate > 0, count > 0 else { return }
        try await Task.sleep(for: .seconds(Double(count) / Double(rate)))
    }

    // MARK: POST /upload:…

    func upload(_ request: Request, context: SandboxRequestContext, session: String) async throws -> Response {
        let token = try sessionToken(session, request: request)
        try await injectFailure()
        await tuneReceiving(context.channel)
        if configuration.uploadStartDelaySeconds > 0 {
            do {
                try await Task.sleep(for: .seconds(configuration.uploadStartDelaySeconds))
            } catch {
                throw ClientGone()
            }
        }
        var offset: Int64 = 0
        if let text = request.headers[.fileOffset] {
            guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw APIError(.badRequest, "invalid file_offset header: \(text)")
            }
            offset = value
        }
        let contentLength = request.headers[.contentLength].flatMap { Int64($0) }
        let generation: Int
        switch try await state.beginUpload(token: token, offset: offset, contentLength: contentLength) {
        case .alreadyComplete(let handle):
            return jsonResponse(.ok, ["h": .string(handle)])
        case .proceed(let g):
            generation = g
        }

        let overflow = try await store(request.body, token: token, generation: generation, channel: context.channel)
        guard let snap = await state.snapshot(token: token) else { throw APIError.sessionGone }
        if overflow {
            throw APIError(.badRequest, "body exceeds file_length \(snap.declared)")
        }
        if let handle = snap.handle {
            return jsonResponse(.ok, ["h": .string(handle)])
        }
        return jsonResponse(.ok, ["id": .string(snap.id), "file_offset": .number(snap.received)])
    }

    /// Stores a session's body buffer by buffer, firing the configured resets and stalls
    /// and keeping to the rate limit; returns whether the body went past `file_length`.
    private func store(_ body: RequestBody, token: String, generation: Int, channel: any Channel) async throws -> Bool {
        do {
            for try await buffer in body {
                var piece = buffer
                var fresh = true
                storing: while true {
                    let outcome = try await state.append(token: token, generation: generation, buffer: piece, fresh: fresh)
                    fresh = false
                    switch outcome {
                    case .stored:
                        break storing
                    case .overflow:
                        return true
                    case .superseded:
                        throw APIError(.badRequest, "upload superseded by a newer request for this session")
                    case .reset(let at):
                        logger.info("reset fault: cutting the connection", metadata: ["offset": "\(at)"])
                        await cutConnection(channel)
                        throw ConnectionCut()
                    case .stall(let at, let rest):
                        logger.info("stall fault", metadata: ["offset": "\(at)", "seconds": "\(configuration.stallSeconds)"])
                        try await Task.sleep(for: .seconds(configuration.stallSeconds))
                        if !channel.isActive { throw ClientGone() }
                        piece = rest
                        if piece.readableBytes == 0 { break storing }
                    }
                }
                try await throttle(buffer.readableBytes)
            }
        } catch let error as APIError {
            throw error
        } catch let error as ConnectionCut {
            throw error
        } catch is CancellationError {
            throw ClientGone()
        } catch let error as ClientGone {
            throw error
        } catch {
            // Reading the body failed: the client went away mid-body.
            logger.debug("body read failed: \(error)")
            throw ClientGone()
        }
        return false
    }

    /// Cuts the TCP connection the way a crashed server or a middlebox would:
    /// SO_LINGER 0 and close, so the kernel sends RST and no HTTP response follows.
    private func cutConnection(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    // MARK: POST /media

    func uploadMedia(_ request: Request) async throws -> Response {
        try await injectFailure()
        guard let contentType = request.headers[.contentType],
            let boundary = MultipartStreamParser.boundary(fromContentType: contentType)
        else {
            throw APIError(.badRequest, "expected multipart/form-data with a boundary")
        }
        let id = await state.nextMediaID()
        var parser = MultipartStreamParser(boundary: boundary)
        var form = MediaForm(id: id, path: (configuration.storageDirectory as NSString).appendingPathComponent("media-\(id)"))
        do {
            do {
                for try await buffer in request.body {
                    try buffer.withUnsafeReadableBytes { bytes in
                        try parser.feed(bytes) { try form.handle($0) }
                    }
                    try await throttle(buffer.readableBytes)
                }
            } catch let error as APIError {
                throw error
            } catch let error as MultipartError {
                throw APIError(.badRequest, error.description)
            } catch is CancellationError {
                throw ClientGone()
            } catch {
                logger.debug("media body read failed: \(error)")
                throw ClientGone()
            }
            guard parser.isFinished else {
                throw APIError(.badRequest, "malformed multipart body: closing boundary missing")
            }
            await state.addMedia(try form.finish())
            return jsonResponse(.ok, ["id": .string(id)])
        } catch {
            form.discard()
            throw error
        }
    }
}
