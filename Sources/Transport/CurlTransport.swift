import CCurl
import Synchronization
import UploadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `HTTPTransport` backed by libcurl.
///
/// Each transfer runs `curl_easy_perform` on a thread of its own, so a slow upload never
/// occupies one of Swift's cooperative threads. Finished easy handles go back to a small
/// pool; since a handle keeps its connection cache across `curl_easy_reset`, sequential
/// requests to the same host reuse one connection.
///
/// Policy: TLS is always verified, redirects are never followed (a 3xx comes back as a
/// normal response), only http and https are spoken, and plain http only to a loopback
/// host. Request headers are never written to any log or error message.
///
/// A request with a `responseSink` gets a 2xx body written to the sink's descriptor as it
/// arrives (flat memory, no size cap, progress counting the bytes written, cancellable
/// through `TransferControl` between pieces; a failed write ends the transfer as
/// `TransportError.writeFailed`); an error status keeps its capped body in memory.
public final class CurlTransport: HTTPTransport {
    /// Most idle easy handles (and so connection caches) kept for reuse.
    static let poolCapacity = 16
    /// Body bytes curl asks for per read callback, chosen for this machine's caches.
    static let uploadBufferSize = uploadBufferSize(level2CacheBytes: level2CacheBytes())

    /// Big enough to make few calls, small enough to stay in the core's L2 between the
    /// file read and the send (bench/RESULTS.md): with 1 MiB of L2 per core or more,
    /// 512 KiB was the fastest measured (2 MiB ran at 0.76× curl's speed); with 512 KiB
    /// of L2 it ran at 0.58× while curl's own 64 KiB kept pace. Sizes between did no
    /// better than either. An unknown L2 gets the size that fits any.
    static func uploadBufferSize(level2CacheBytes: Int) -> Int {
        level2CacheBytes >= 1 << 20 ? 512 << 10 : 64 << 10
    }

    /// The L2 cache of one core, in bytes, as the C library reads it from the CPU; 0
    /// when it cannot tell.
    static func level2CacheBytes() -> Int {
        #if os(Linux)
        max(0, sysconf(Int32(_SC_LEVEL2_CACHE_SIZE)))
        #else
        var bytes: Int64 = 0
        var length = MemoryLayout<Int64>.size
        return sysctlbyname("hw.l2cachesize", &bytes, &length, nil, 0) == 0 ? Int(bytes) : 0
        #endif
    }
    static let userAgent = "mediaup/0.1"
    /// Bytes curl hands the write callback at most at once when the body goes to a sink.
    static let downloadBufferSize = 256 << 10

    /// `curl_global_init` exactly once per process; a static let is initialised once,
    /// thread-safely, on first use.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Idle easy handles, only ever touched under the lock. The `Mutex` is what makes
    /// this class `Sendable` without `@unchecked`.
    private let idle = Mutex<[IdleHandle]>([])

    /// Creates a transport with an empty handle pool.
    public init() {
        _ = Self.globalInit
    }

    deinit {
        idle.withLock { handles in
            for handle in handles { curl_easy_cleanup(handle.easy) }
            handles.removeAll()
        }
    }

    /// Sends `request` on a dedicated thread and returns the response, whatever its status.
    ///
    /// Cancelling the calling task has the same effect as `control.cancel()`.
    /// - Throws: `TransportError`; see `HTTPTransport.send`.
    public func send(
        _ request: HTTPRequest,
        limits: TransferLimits,
        control: TransferControl,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws(TransportError) -> HTTPResponse {
        let taskCancelled = CancelFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                let started = startThread { [self] in
                    continuation.resume(
                        returning: perform(
                            request, limits: limits, control: control,
                            taskCancelled: taskCancelled, progress: progress
                        ))
                }
                if !started {
                    continuation.resume(returning: .failure(.other("could not start a transfer thread")))
                }
            }
        } onCancel: {
            taskCancelled.set()
        }
        return try result.get()
    }

    // MARK: - On the transfer thread

    private func perform(
        _ request: HTTPRequest,
        limits: TransferLimits,
        control: TransferControl,
        taskCancelled: CancelFlag,
        progress: @escaping @Sendable (Int64) -> Void
    ) -> Result<HTTPResponse, TransportError> {
        do throws(TransportError) {
            let context = TransferContext(
                limits: limits, control: control, taskCancelled: taskCancelled, sink: request.responseSink, progress: progress
            )
            return .success(try transfer(request, context: context))
        } catch {
            return .failure(error)
        }
    }

    private func transfer(_ request: HTTPRequest, context: TransferContext) throws(TransportError) -> HTTPResponse {
        guard Self.globalInit == CURLE_OK else { throw .other("curl_global_init failed") }
        // Everything that can be refused is refused before any traffic.
        let target = try URLPolicy.check(request.url)
        if request.method != .post, !request.body.isEmpty {
            throw .other("a \(request.method.rawValue) request cannot carry a body")
        }
        var lines = ["Expect:"]  // no 100-continue round trip
        var hasContentType = false
        for (name, value) in request.headers {
            let bad: (UInt8) -> Bool = { $0 == 0x0A || $0 == 0x0D || $0 == 0 }
            // Name only in the message: a value may be the API key.
            if name.utf8.contains(where: bad) || value.utf8.contains(where: bad) || name.isEmpty || name.contains(":") {
                throw .invalidRequest("request header \(name.filter { !$0.isNewline }) is malformed")
            }
            if name.lowercased() == "content-type" { hasContentType = true }
            lines.append("\(name): \(value)")
        }
        // Without this curl labels a POST as a form; the body goes out as the caller says.
        if request.method == .post, !hasContentType { lines.append("Content-Type:") }
        try context.openBody(request.body)
        if context.isCancelled { throw .cancelled }

        guard let (easy, lastSocket) = acquireHandle() else { throw .other("curl_easy_init failed") }
        context.socket = lastSocket
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            // Reset first so the handle keeps no pointer to the list or the context.
            releaseHandle(easy, socket: keptSocket(easy))
            curl_slist_free_all(headerList)
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw .other("curl_slist_append failed: out of memory")
            }
            headerList = appended
        }

        let user = Unmanaged.passUnretained(context).toOpaque()
        try withExtendedLifetime(context) { () throws(TransportError) in
            try configure(easy, request: request, target: target, context: context, user: user, headers: headerList)
        }
        let code = withExtendedLifetime(context) { curl_easy_perform(easy) }

        if code == CURLE_OK {
            var status = 0
            var uploaded: curl_off_t = 0
            _ = mediaup_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            _ = mediaup_curl_getinfo_off(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded)
            context.finish(uploaded: Int64(uploaded))
            return HTTPResponse(status: status, headers: context.headers, body: context.body)
        }
        if let failure = context.failure { throw failure }
        throw mapError(code, easy: easy, target: target, context: context)
    }

    private func configure(
        _ easy: UnsafeMutableRawPointer,
        request: HTTPRequest,
        target: URLPolicy.Target,
        context: TransferContext,
        user: UnsafeMutableRawPointer,
        headers: UnsafeMutablePointer<curl_slist>?
    ) throws(TransportError) {
        func check(_ code: CURLcode, _ option: String) throws(TransportError) {
            guard code == CURLE_OK else {
                throw .other("setting \(option): \(String(cString: curl_easy_strerror(code)))")
            }
        }
        // Errors and safety first, so nothing below can leave them unset.
        try check(mediaup_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, context.errorBuffer), "ERRORBUFFER")
        try check(mediaup_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(mediaup_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        try check(mediaup_curl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "REDIR_PROTOCOLS_STR")
        try check(mediaup_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        try check(mediaup_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1), "SSL_VERIFYPEER")
        try check(mediaup_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2), "SSL_VERIFYHOST")
        try check(mediaup_curl_setopt_long(easy, CURLOPT_PATH_AS_IS, 1), "PATH_AS_IS")
        try check(mediaup_curl_setopt_string(easy, CURLOPT_URL, request.url), "URL")
        if target.isLoopback {
            // The local sandbox is never reached through a proxy from the environment.
            try check(mediaup_curl_setopt_string(easy, CURLOPT_NOPROXY, "*"), "NOPROXY")
        }
        let connectMillis = max(1, Int((context.limits.connectTimeout * 1000).rounded()))
        try check(mediaup_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectMillis), "CONNECTTIMEOUT_MS")
        try check(mediaup_curl_setopt_string(easy, CURLOPT_USERAGENT, Self.userAgent), "USERAGENT")
        // One kept connection per handle: a reused connection is then always the one
        // whose socket the pool recorded, and progress measures that socket's queue.
        try check(mediaup_curl_setopt_long(easy, CURLOPT_MAXCONNECTS, 1), "MAXCONNECTS")
        try check(mediaup_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headers), "HTTPHEADER")

        try check(mediaup_curl_setopt_long(easy, CURLOPT_NOPROGRESS, 0), "NOPROGRESS")
        try check(mediaup_curl_setopt_xferinfo_function(easy, curlXferInfo), "XFERINFOFUNCTION")
        try check(mediaup_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, user), "XFERINFODATA")
        try check(mediaup_curl_setopt_sockopt_function(easy, curlSocketOpened), "SOCKOPTFUNCTION")
        try check(mediaup_curl_setopt_pointer(easy, CURLOPT_SOCKOPTDATA, user), "SOCKOPTDATA")
        try check(mediaup_curl_setopt_write_function(easy, curlWrite), "WRITEFUNCTION")
        try check(mediaup_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, user), "WRITEDATA")
        try check(mediaup_curl_setopt_header_function(easy, curlHeader), "HEADERFUNCTION")
        try check(mediaup_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, user), "HEADERDATA")
        if request.responseSink != nil {
            // Bigger pieces for a download: fewer callbacks and writes per megabyte.
            try check(mediaup_curl_setopt_long(easy, CURLOPT_BUFFERSIZE, Self.downloadBufferSize), "BUFFERSIZE")
        }

        switch request.method {
        case .get:
            try check(mediaup_curl_setopt_long(easy, CURLOPT_HTTPGET, 1), "HTTPGET")
        case .delete:
            try check(mediaup_curl_setopt_long(easy, CURLOPT_HTTPGET, 1), "HTTPGET")
            try check(mediaup_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, "DELETE"), "CUSTOMREQUEST")
        case .post:
            try check(mediaup_curl_setopt_long(easy, CURLOPT_POST, 1), "POST")
            try check(mediaup_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.bodyLength)), "POSTFIELDSIZE_LARGE")
            try check(mediaup_curl_setopt_read_function(easy, curlRead), "READFUNCTION")
            try check(mediaup_curl_setopt_pointer(easy, CURLOPT_READDATA, user), "READDATA")
            // Only used if curl must resend on a fresh connection; never via a redirect.
            try check(mediaup_curl_setopt_seek_function(easy, curlSeek), "SEEKFUNCTION")
            try check(mediaup_curl_setopt_pointer(easy, CURLOPT_SEEKDATA, user), "SEEKDATA")
            try check(mediaup_curl_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, Self.uploadBufferSize), "UPLOAD_BUFFERSIZE")
        }
    }

    private func mapError(
        _ code: CURLcode, easy: UnsafeMutableRawPointer, target: URLPolicy.Target, context: TransferContext
    ) -> TransportError {
        var text = String(cString: curl_easy_strerror(code))
        let detail = String(cString: context.errorBuffer)
        if !detail.isEmpty { text += ": " + detail }
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed(text)
        case CURLE_OPERATION_TIMEDOUT:
            // Only the connect timeout is set, but tell the two apart from what happened.
            var connected: curl_off_t = 0
            _ = mediaup_curl_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connected)
            var handshaken: curl_off_t = 1
            if target.scheme == "https" {
                _ = mediaup_curl_getinfo_off(easy, CURLINFO_APPCONNECT_TIME_T, &handshaken)
            }
            return connected == 0 || handshaken == 0 ? .connectFailed(text) : .connectionLost(text)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_SEND_FAIL_REWIND, CURLE_WEIRD_SERVER_REPLY:
            return .connectionLost(text)
        // A handshake that broke says nothing about the certificate (a reset, a proxy,
        // a plain-HTTP port): it may pass later.
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_SHUTDOWN_FAILED:
            return .tls(text)
        // A verdict on the certificate, or a local TLS setup that cannot work: the
        // same request gets the same answer.
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT,
            CURLE_USE_SSL_FAILED:
            return .certificate(text)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(text)
        case CURLE_ABORTED_BY_CALLBACK:
            // Every abort records its reason; this is only reached if one did not.
            return context.isCancelled ? .cancelled : .other(text)
        default:
            return .other(text)
        }
    }

    // MARK: - Handle pool

    /// A handle from the pool (with the socket of its last connection) or a new one.
    private func acquireHandle() -> (UnsafeMutableRawPointer, curl_socket_t)? {
        if let handle = idle.withLock({ $0.popLast() }) { return (handle.easy, handle.lastSocket) }
        return curl_easy_init().map { ($0, -1) }
    }

    /// The socket of the connection the handle keeps after a transfer, or -1 if it kept
    /// none. Asked after the transfer: during one, libcurl 7.88 answers
    /// CURLINFO_ACTIVESOCKET with the previous transfer's connection, or -1.
    private func keptSocket(_ handle: UnsafeMutableRawPointer) -> curl_socket_t {
        var socket: curl_socket_t = -1
        return mediaup_curl_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK ? socket : -1
    }

    /// Resets the handle (dropping every option and pointer, keeping live connections)
    /// and keeps it if the pool has room.
    private func releaseHandle(_ handle: UnsafeMutableRawPointer, socket: curl_socket_t) {
        curl_easy_reset(handle)
        let kept = idle.withLock { handles -> Bool in
            guard handles.count < Self.poolCapacity else { return false }
            handles.append(IdleHandle(easy: handle, lastSocket: socket))
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }
}
